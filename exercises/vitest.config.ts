/**
 * The vitest configuration for the exercise checks, which the main run leaves out (a check
 * fails on purpose until its exercise is solved). Used by `npm run exercise -- NN` and by
 * `test/exercises.test.ts`; `SETPOINT_EXERCISE_IMPL=solution` points the checks at the
 * solutions instead of the starters.
 */
import { resolve } from 'node:path';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  root: resolve(import.meta.dirname, '..'),
  test: {
    include: ['exercises/**/check.test.ts'],
    pool: 'forks',
    testTimeout: 30_000,
    // Show whole values in failures: a learner needs to see the full plan, not `…(2)`.
    chaiConfig: { truncateThreshold: 0 },
  },
});
