import type { TestProject } from 'vitest/node';
import { buildCli } from './helpers/built-cli.js';
import { startCluster } from './helpers/postgres.js';

/**
 * Once per test run: compile the CLI for the tests that start it as a process many times (see
 * `builtCli`), and start a throwaway PostgreSQL cluster for the tests of the PostgreSQL store
 * (see `startTestCluster`). Both go when the run ends.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const built = buildCli();
  project.provide('builtCli', { bin: built.bin, dist: built.dist });
  const cluster = await startCluster();
  project.provide('databaseUrl', cluster.url);
  return () => {
    built.remove();
    cluster.stop();
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    builtCli: { bin: string; dist: string };
    /** The test run's PostgreSQL: a database each test file makes its own databases on. */
    databaseUrl: string;
  }
}
