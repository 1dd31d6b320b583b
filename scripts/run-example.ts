/**
 * Run a numbered example and print what it prints.
 *
 *   npm run example            # list the examples
 *   npm run example -- 01      # run examples/01-hello-reconciler/main.ts
 *   npm run example -- 04 06   # run several, one after the other
 *
 * Each example runs on a `TestClock`: a minute of reconciling, crashes and backoff takes
 * milliseconds, and the output is the same on every run: exactly the block under "## Output"
 * in the example's README (`test/examples.test.ts` checks that).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface ExampleModule {
  main(out: (line: string) => void): Promise<void>;
}

const root = join(import.meta.dirname, '..', 'examples');
const examples = readdirSync(root, { withFileTypes: true })
  .filter((entry) => entry.isDirectory() && /^\d\d-/.test(entry.name))
  .map((entry) => entry.name)
  .sort();

function find(arg: string): string | undefined {
  const wanted = /^\d$/.test(arg) ? `0${arg}` : arg;
  return examples.find((name) => name === wanted || name.startsWith(`${wanted}-`));
}

const args = process.argv.slice(2).filter((arg) => arg !== '--');
if (args.length === 0) {
  console.log('Examples (run one with `npm run example -- NN`):');
  for (const name of examples) console.log(`  ${name}`);
  process.exit(0);
}

for (const arg of args) {
  const name = find(arg);
  if (!name) {
    console.error(
      `No example matches "${arg}". There are: ${examples.map((e) => e.slice(0, 2)).join(', ')}.`,
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
