import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';
import { bundleCli } from '../../bench/lib/cli-bundle.js';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * The CLI this test run compiled (once, in `test/global-setup.ts`), for tests that start it as a
 * process many times. Tests of `bin/setpoint.js` itself, as a user runs it, use that instead.
 */
export function builtCli(): { readonly bin: string; readonly dist: string } {
  return inject('builtCli');
}

/** The CLI compiled for a test that starts it many times. */
export interface BuiltCli {
  /** A script that runs the compiled `setpoint`: `node <bin> apply`. */
  readonly bin: string;
  /** The compiled `src/`, to import a built-in provider from. */
  readonly dist: string;
  remove(): void;
}

/**
 * Compile `src/` once into a fresh directory under `node_modules/.cache` (where its package
 * imports resolve; tests import a built-in provider from it), and bundle the command line as a
 * build does (`dist/bundle/`), so each process starts without compiling TypeScript or resolving
 * hundreds of modules. Built from the sources as they are now, never from a stale `dist/`.
 */
export function buildCli(): BuiltCli {
  const cache = join(ROOT, 'node_modules', '.cache');
  mkdirSync(cache, { recursive: true });
  const dir = mkdtempSync(join(cache, 'setpoint-cli-'));
  const dist = join(dir, 'dist');
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', dist], {
    stdio: 'pipe',
  });
  const { bin } = bundleCli(dir); // the command line and its page, as a build ships them
  return { bin, dist, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
