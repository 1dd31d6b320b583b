/**
 * The smallest value each setting may take, in one table: the runtime refuses less (a
 * `TypeError` naming the option, or a rejected desired set for a resource's `policy`) and the
 * config file's schema refuses less (an error with a hint), so a config that `setpoint validate`
 * accepts is one the runtime runs. Times are in ms.
 * A resync interval below 100 ms would keep a resource's actor busy for nothing; `maxRetries: 0`
 * (like 1) means "do not retry": Degraded on the first failure.
 */
export const RUNTIME_MINIMUMS = Object.freeze({
  intervalMs: 100,
  maxRetries: 0,
  progressDeadlineMs: 1,
  hotLoopMaxApplies: 1,
  hotLoopWindowMs: 1,
  concurrency: 1,
  timeoutMs: 1,
  shutdownMs: 0,
});
