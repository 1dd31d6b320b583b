// setpoint's public API: explicit named exports only.
export type { Backoff, BackoffOptions } from './backoff/backoff.js';
export { DEFAULT_BACKOFF, exponentialBackoff } from './backoff/backoff.js';
export type { JitterMode } from './backoff/jitter.js';
export type { Clock, Random, TestClockOptions, TimerHandle } from './runtime/clock.js';
export { seededRandom, systemClock, systemRandom, TestClock } from './runtime/clock.js';
export type {
  Child,
  ChildLink,
  ChildSpec,
  ChildType,
  Exit,
  ExitReason,
  RestartType,
  Shutdown,
} from './supervisor/child-spec.js';
