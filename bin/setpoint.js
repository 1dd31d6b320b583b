#!/usr/bin/env node
// The `setpoint` command. Which code it runs:
//
// - In a source checkout — `src/` sits next to `bin/` and `tsx` (a devDependency) resolves
//   from here — it runs the sources in `src/` through tsx, always, even when a `dist/` exists:
//   someone who edits `src/` must never silently run an older build.
// - Anywhere else — an installed package ships `bin/` and `dist/`, never `src/` — it runs the
//   bundled command line in `dist/bundle/` (a few files instead of hundreds of modules: about
//   half the start-up time), or the compiled `dist/cli/` when a build has no bundle. Without
//   either (a package that was never built) it says so and exits 1, rather than failing with a
//   stack.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const sources = join(root, 'src', 'cli', 'main.ts');
const bundled = join(root, 'dist', 'bundle', 'main.js');
const built = join(root, 'dist', 'cli', 'main.js');

/** Whether `tsx` can be imported from this file: it is a devDependency, absent once installed. */
function tsxResolves() {
  try {
    import.meta.resolve('tsx/esm/api');
    return true;
  } catch {
    return false;
  }
}

let entry;
if (existsSync(sources) && tsxResolves()) {
  const { register } = await import('tsx/esm/api');
  register();
  entry = sources;
} else if (existsSync(bundled)) {
  entry = bundled;
} else if (existsSync(built)) {
  entry = built;
} else {
  process.stderr.write(
    `setpoint: dist/ is missing: the package was not built; reinstall it or run npm run build (${built} does not exist)\n`,
  );
  process.exit(1);
}
const { main } = await import(pathToFileURL(entry).href);
process.exitCode = await main(process.argv.slice(2));
