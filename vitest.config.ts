import { availableParallelism } from 'node:os';
import { defineConfig } from 'vitest/config';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The test files that run longest, longest first. Without a record of earlier runs (a fresh
 * clone, CI) files start largest first, and one of minutes that starts last runs alone at the
 * end while the other worker idles; started first, it runs beside everything else.
 */
const SLOWEST = [
  'test/cli-kill9-apply.test.ts',
  'test/cli-bad-inputs.test.ts',
  'test/cluster-chaos.test.ts',
  'test/cli-kill9.test.ts',
];

class SlowestFirst extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const rank = (file: TestSpecification) => {
      const at = SLOWEST.findIndex((slow) => file.moduleId.endsWith(slow));
      return at === -1 ? SLOWEST.length : at;
    };
    return (await super.sort(files)).sort((a, b) => rank(a) - rank(b));
  }
}

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'examples/**/*.test.ts', 'exercises/**/*.test.ts'],
    exclude: ['exercises/**/check.test.ts', 'node_modules/**', 'dist/**'],
    pool: 'forks',
    // Files that run in one worker share its loaded modules rather than load xstate, zod and
    // the rest again for each of 175 files: a fifth of the suite's time on 2 cores. Every test
    // keeps to its own state (temporary directories, its own clocks and servers), which is
    // what makes this safe; a test that changes a global puts it back.
    isolate: false,
    // One worker per core (vitest's default leaves one core to itself: on 2 cores, one file at a
    // time). Much of the suite waits on child processes, sockets and files, not on the CPU.
    maxWorkers: availableParallelism(),
    globalSetup: ['test/global-setup.ts'],
    sequence: { sequencer: SlowestFirst },
    testTimeout: 60_000,
  },
});
