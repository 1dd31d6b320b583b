import { describe } from '../contract/describe.js';
/**
 * Checks of supervisor options and child specs. Misuse throws a `TypeError` that names the
 * option, the value, and what is allowed, before anything starts.
 */
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import type { ChildSpec, Exit } from './child-spec.js';
import { type RestartBackoff, type RestartBackoffOptions, restartBackoff } from './restart-backoff.js';
import { DEFAULT_INTENSITY, type Intensity } from './restart-intensity.js';
import { STRATEGIES, type Strategy } from './strategy.js';

const RESTART_TYPES = ['permanent', 'transient', 'temporary'];
const CHILD_TYPES = ['worker', 'supervisor'];

export function checkStrategy(strategy: unknown): Strategy {
  if (!STRATEGIES.includes(strategy as Strategy)) {
    throw new TypeError(
      `Expected \`strategy\` to be one of ${STRATEGIES.join(', ')}, got ${describe(strategy)}`,
    );
  }
  return strategy as Strategy;
}

export function checkIntensity(maxRestarts: unknown, withinMs: unknown): Intensity {
  const validMax =
    typeof maxRestarts === 'number' &&
    maxRestarts >= 0 &&
    (Number.isInteger(maxRestarts) || maxRestarts === Number.POSITIVE_INFINITY);
  if (!validMax) {
    throw new TypeError(
      `Expected \`maxRestarts\` to be an integer >= 0 (or Infinity), got ${describe(maxRestarts)}`,
    );
  }
  if (typeof withinMs !== 'number' || !Number.isFinite(withinMs) || withinMs <= 0) {
    throw new TypeError(`Expected \`withinMs\` to be a finite number > 0, got ${describe(withinMs)}`);
  }
  return { maxRestarts, withinMs };
}

export function checkClock(clock: unknown, random: unknown): void {
  const c = clock as Partial<Clock> | undefined;
  if (
    typeof c?.now !== 'function' ||
    typeof c.setTimeout !== 'function' ||
    typeof c.clearTimeout !== 'function'
  ) {
    throw new TypeError(
      `Expected \`clock\` to be a Clock (now, setTimeout, clearTimeout), got ${describe(clock)}; ` +
        'pass systemClock, or a TestClock in tests',
    );
  }
  if (random !== undefined && typeof random !== 'function') {
    throw new TypeError(`Expected \`random\` to be a function returning [0, 1), got ${describe(random)}`);
  }
}

export function checkBackoff(backoff: RestartBackoffOptions | undefined): RestartBackoffOptions | undefined {
  if (backoff === undefined) return undefined;
  const { minMs, maxMs, randomFactor, resetAfterMs } = backoff;
  const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
  if (!finite(minMs) || minMs < 0) {
    throw new TypeError(
      `Expected \`restartBackoff.minMs\` to be a finite number >= 0, got ${describe(minMs)}`,
    );
  }
  if (!finite(maxMs) || maxMs < minMs) {
    throw new TypeError(
      `Expected \`restartBackoff.maxMs\` to be a finite number >= minMs (${minMs}), got ${describe(maxMs)}`,
    );
  }
  if (!finite(randomFactor) || randomFactor < 0) {
    throw new TypeError(
      `Expected \`restartBackoff.randomFactor\` to be a finite number >= 0 (0.2 adds up to 20 %), got ${describe(randomFactor)}`,
    );
  }
  if (typeof resetAfterMs !== 'number' || Number.isNaN(resetAfterMs) || resetAfterMs < 0) {
    throw new TypeError(
      `Expected \`restartBackoff.resetAfterMs\` to be a number >= 0, got ${describe(resetAfterMs)}`,
    );
  }
  return backoff;
}

const EXAMPLE_SPEC = "{ id: 'db', start: (link) => startDb(link), restart: 'permanent' }";

/** Check one child spec; `where` names it in messages (e.g. `children[2]`). */
export function checkSpec(spec: ChildSpec, where: string): void {
  if (typeof spec !== 'object' || spec === null) {
    throw new TypeError(
      `Expected \`${where}\` to be a child spec such as ${EXAMPLE_SPEC}, got ${describe(spec)}`,
    );
  }
  if (typeof spec.id !== 'string' || spec.id === '') {
    throw new TypeError(`Expected \`${where}.id\` to be a non-empty string, got ${describe(spec.id)}`);
  }
  if (typeof spec.start !== 'function') {
    throw new TypeError(
      `Expected \`${where}.start\` (child "${spec.id}") to be a function (link) => Child, got ${describe(spec.start)}; e.g. ${EXAMPLE_SPEC}`,
    );
  }
  if (spec.restart !== undefined && !RESTART_TYPES.includes(spec.restart)) {
    throw new TypeError(
      `Expected \`${where}.restart\` (child "${spec.id}") to be one of ${RESTART_TYPES.join(', ')}, got ${describe(spec.restart)}`,
    );
  }
  if (spec.type !== undefined && !CHILD_TYPES.includes(spec.type)) {
    throw new TypeError(
      `Expected \`${where}.type\` (child "${spec.id}") to be one of ${CHILD_TYPES.join(', ')}, got ${describe(spec.type)}`,
    );
  }
  const s = spec.shutdown;
  if (s !== undefined && s !== 'brutal' && !(typeof s === 'number' && s >= 0)) {
    throw new TypeError(
      `Expected \`${where}.shutdown\` (child "${spec.id}") to be ms >= 0, Infinity or 'brutal', got ${describe(s)}`,
    );
  }
}

/**
 * An exit as reported through a link, made safe: anything that is not a well-formed `Exit`
 * becomes a crash whose error says what was wrong, so a buggy child cannot confuse its supervisor.
 */
export function checkExit(exit: unknown, child: string): Exit {
  const reason = (exit as { reason?: unknown } | null | undefined)?.reason;
  if (reason === 'normal' || reason === 'shutdown' || reason === 'crash') return exit as Exit;
  return {
    reason: 'crash',
    error: new TypeError(
      `Expected child "${child}" to report an exit { reason: 'normal' | 'shutdown' | 'crash' }, got ${describe(exit)}`,
    ),
  };
}

/** What both kinds of supervisor are configured with. */
export interface CommonOptions {
  readonly id?: string;
  readonly maxRestarts?: number;
  readonly withinMs?: number;
  readonly clock: Clock;
  readonly random?: Random;
  readonly restartBackoff?: RestartBackoffOptions;
}

/** {@link CommonOptions} checked, with defaults applied. */
export interface CommonSettings {
  readonly id: string | undefined;
  readonly clock: Clock;
  readonly intensity: Intensity;
  readonly backoff: RestartBackoff | undefined;
}

/** Check the options both supervisors share; `example` shows a correct call in the error. */
export function checkCommon(options: CommonOptions, example: string): CommonSettings {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError(`Expected options such as ${example}, got ${describe(options)}`);
  }
  checkClock(options.clock, options.random);
  const intensity = checkIntensity(
    options.maxRestarts ?? DEFAULT_INTENSITY.maxRestarts,
    options.withinMs ?? DEFAULT_INTENSITY.withinMs,
  );
  const backoff = checkBackoff(options.restartBackoff);
  if (backoff !== undefined && backoff.randomFactor > 0 && options.random === undefined) {
    throw new TypeError(
      `Expected \`random\` with a restartBackoff.randomFactor above 0, got none: pass random: systemRandom, or a seededRandom in tests`,
    );
  }
  if (options.id !== undefined && (typeof options.id !== 'string' || options.id === '')) {
    throw new TypeError(`Expected \`id\` to be a non-empty string, got ${describe(options.id)}`);
  }
  return {
    id: options.id,
    clock: options.clock,
    intensity,
    backoff: backoff && restartBackoff(backoff, options.random ?? noSpread),
  };
}

/** The random draw of a restart backoff whose `randomFactor` is 0: never read. */
const noSpread: Random = () => 0;
