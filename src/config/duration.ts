// Durations in a config file: the parser lives with the formatter in `contract`, where the
// providers can use it too (a `process` spec's `stopGrace`).
export {
  DURATION_PATTERN,
  type DurationResult,
  formatDuration,
  MAX_DURATION_MS,
  parseDuration,
} from '../contract/duration-text.js';
