import type { SimOptions } from './sim-options.js';

/** What `npm run soak` takes on its command line. */
export interface SoakSettings {
  readonly seed: number;
  /** Default 10,000. */
  readonly resources?: number;
  /** Virtual hours. Default 24. */
  readonly hours?: number;
  /** Hours with faults on, from the start. Default a third of `hours`. */
  readonly faultHours?: number;
  /** Share of calls that return an invalid value (actor crashes). Default 0. */
  readonly crashRate?: number;
}

const HOUR = 3_600_000;

/**
 * The soak's configuration, as {@link simulate} options: one function of a few settings, so the
 * command `npm run soak -- --seed 7 --resources 1000 --hours 1` and a test that calls
 * `simulate(soakOptions({ seed: 7, resources: 1000, hours: 1 }))` run the very same simulation.
 *
 * - Faults while they are on: 30 % of calls fail, 5 % hang until the 30 s timeout, 2 % answer
 *   `Retry-After: 5 s`, every call takes 0–100 ms; one provider outage of one to five minutes
 *   per two fault-hours (at least one), per kind; a desired-set change per fault-hour (at least
 *   three). Then the faults stop and the world must converge.
 * - The runtime: a 5-minute resync interval (the default is 30 s; 24 h of 10,000 resources at
 *   30 s is 29 million ticks), 50 operations in flight per provider (with 5 % of calls hanging
 *   for 30 s, the default 10 would be saturated by the faults alone), everything else default:
 *   backoff 1 s ×2 to 60 s with full jitter, 5 retries before Degraded, 30 s timeout.
 */
export function soakOptions(settings: SoakSettings): SimOptions {
  const hours = settings.hours ?? 24;
  const faultHours = settings.faultHours ?? hours / 3;
  return {
    seed: settings.seed,
    resources: settings.resources ?? 10_000,
    duration: Math.round(hours * HOUR),
    faultWindow: Math.round(faultHours * HOUR),
    changes: Math.max(3, Math.round(faultHours)),
    kinds: 2,
    interval: 300_000,
    concurrency: 50,
    faults: {
      failRate: 0.3,
      hangRate: 0.05,
      retryAfterRate: 0.02,
      retryAfterMs: 5000,
      latencyMs: [0, 100],
      crashRate: settings.crashRate ?? 0,
      outages: Math.max(1, Math.round(faultHours / 2)),
    },
  };
}

/** The command that replays `settings`, for a report's "replay with:" line. */
export function soakCommand(settings: SoakSettings): string {
  const flags = [`--seed ${settings.seed}`];
  if (settings.resources !== undefined) flags.push(`--resources ${settings.resources}`);
  if (settings.hours !== undefined) flags.push(`--hours ${settings.hours}`);
  if (settings.faultHours !== undefined) flags.push(`--fault-hours ${settings.faultHours}`);
  if (settings.crashRate !== undefined && settings.crashRate !== 0)
    flags.push(`--crash-rate ${settings.crashRate}`);
  return `npm run soak -- ${flags.join(' ')}`;
}
