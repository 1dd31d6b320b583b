import type { TestProject } from 'vitest/node';
import { buildCli } from './helpers/built-cli.js';

/**
 * Once per test run: compile the CLI for the tests that start it as a process many times (see
 * `builtCli`). Removed when the run ends.
 */
export default function setup(project: TestProject): () => void {
  const built = buildCli();
  project.provide('builtCli', { bin: built.bin, dist: built.dist });
  return () => built.remove();
}

declare module 'vitest' {
  export interface ProvidedContext {
    builtCli: { bin: string; dist: string };
  }
}
