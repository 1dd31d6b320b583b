/**
 * Run a numbered example and print what it prints.
 *
 *   npm run example            # list the examples
 *   npm run example -- 01      # run examples/01-hello-reconciler/main.ts
 *   npm run example -- 04 06   # run several, one after the other
 *   npm run example -- gitops-edge   # an example beyond the learning path, by its name
 *
 * Each numbered example runs on a `TestClock`: a minute of reconciling, crashes and backoff
 * takes milliseconds, and the output is the same on every run: exactly the block under
 * "## Output" in the example's README (`test/examples.test.ts` checks that). A named example
 * (a folder with a `README.md` and a `main.ts`, no number) runs real processes on real time:
 * its README shows what it prints, with the numbers that vary.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface ExampleModule {
  main(out: (line: string) => void): Promise<void>;
}

const root = join(import.meta.dirname, '..', 'examples');
const folders = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();
const examples = folders.filter((name) => /^\d\d-/.test(name));
const named = folders.filter(
  (name) =>
    !/^\d\d-/.test(name) &&
    existsSync(join(root, name, 'README.md')) &&
    existsSync(join(root, name, 'main.ts')),
);

function find(arg: string): string | undefined {
  const wanted = /^\d$/.test(arg) ? `0${arg}` : arg;
  return (
    examples.find((name) => name === wanted || name.startsWith(`${wanted}-`)) ??
    named.find((name) => name === wanted)
  );
}

const args = process.argv.slice(2).filter((arg) => arg !== '--');
if (args.length === 0) {
  console.log('Examples (run one with `npm run example -- NN`):');
  for (const name of examples) console.log(`  ${name}`);
  console.log('Beyond the learning path (run one by name, `npm run example -- NAME`):');
  for (const name of named) console.log(`  ${name}`);
  process.exit(0);
}

for (const arg of args) {
  const name = find(arg);
  if (!name) {
    console.error(
      `No example matches "${arg}". There are: ${[...examples.map((e) => e.slice(0, 2)), ...named].join(', ')}.`,
    );
    process.exit(1);
  }
  if (args.length > 1) console.log(`── ${name} ${'─'.repeat(Math.max(0, 60 - name.length))}`);
  const module = (await import(pathToFileURL(join(root, name, 'main.ts')).href)) as ExampleModule;
  try {
    await module.main((line) => console.log(line));
  } catch (error) {
    // An example that cannot run here (11 without PostgreSQL) says why, without a stack trace.
    if ((error as { code?: unknown })?.code !== 'EXAMPLE_NEEDS') throw error;
    console.error((error as Error).message);
    process.exit(1);
  }
  if (args.length > 1) console.log('');
}
