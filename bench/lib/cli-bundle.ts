/**
 * The CLI bundled into one file (esbuild, packages left as imports), for a bench that starts
 * `setpoint` as a process many times: each start then loads one module instead of compiling
 * the TypeScript sources. Built from the sources as they are now, in `into` (a directory under
 * `node_modules/.cache`, where the package's imports resolve; default: a fresh one there). The
 * tests' compiled CLI (`test/helpers/built-cli.ts`) is bundled the same way, with its
 * dependencies too (`withDependencies`): zod alone is 200-odd modules to load otherwise, a
 * third of each start of the 200-odd processes a crash test makes.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export function bundleCli(into?: string, withDependencies = false): { readonly bin: string; remove(): void } {
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = into ?? mkdtempSync(join(cache, 'setpoint-bench-cli-'));
  // Where main.js sits in a build, so `--version` finds package.json two levels up.
  const bundle = join(dir, 'dist', 'cli', 'bundle.mjs');
  execFileSync(
    join(ROOT, 'node_modules', 'esbuild', 'bin', 'esbuild'),
    [
      join(ROOT, 'src', 'cli', 'main.ts'),
      '--bundle',
      '--platform=node',
      '--format=esm',
      ...(withDependencies
        ? // A bundled CommonJS package still calls `require`: give the module one.
          [
            "--banner:js=import { createRequire as __setpointRequire } from 'node:module'; const require = __setpointRequire(import.meta.url);",
          ]
        : ['--packages=external']),
      `--outfile=${bundle}`,
    ],
    { stdio: 'pipe' },
  );
  copyFileSync(join(ROOT, 'package.json'), join(dir, 'package.json'));
  const bin = join(dir, 'setpoint.mjs');
  writeFileSync(
    bin,
    "const { main } = await import('./dist/cli/bundle.mjs');\nprocess.exitCode = await main(process.argv.slice(2));\n",
  );
  return { bin, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
