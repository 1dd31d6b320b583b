import type { RestartBackoff } from './restart-backoff.js';
import type { Verdict } from './restart-intensity.js';

/**
 * The restart decision: what a supervisor does about a child that exited and must come back.
 *
 * Two rules meet here. Restart intensity has counted this restart in the supervisor's window and
 * says whether it is one too many (see `restart-intensity.ts`): if it is, the supervisor gives
 * up. If not, the restart backoff, when the supervisor has one, says how long to wait and what
 * the child's count of consecutive restarts becomes (see `restart-backoff.ts`); without one, the
 * restart is immediate and the count stays as it was.
 *
 * Both kinds of supervisor decide the same way, so this is one pure function; the supervisor
 * then carries the decision out (its strategy says which siblings come back with the child).
 *
 * ```ts
 * const b = restartBackoff({ minMs: 100, maxMs: 1000, randomFactor: 0, resetAfterMs: 5000 }, random);
 * decideRestart('ok', b, 2, 1000, 1500);      // { giveUp: false, delayMs: 400, consecutive: 3 }
 * decideRestart('give-up', b, 2, 1000, 1500); // { giveUp: true }
 * ```
 */
export type RestartDecision =
  | { readonly giveUp: true }
  | {
      readonly giveUp: false;
      /** How long to wait before starting the child again, in ms (0: at once). */
      readonly delayMs: number;
      /** The child's count of consecutive restarts, this one included (with a backoff). */
      readonly consecutive: number;
    };

const GIVE_UP: RestartDecision = Object.freeze({ giveUp: true });
/** Without a backoff the count never moves from 0, so this one answer serves (no object per restart). */
const AT_ONCE: RestartDecision = Object.freeze({ giveUp: false, delayMs: 0, consecutive: 0 });

/**
 * Decide the restart of a child that exited at `now`. `verdict`: the intensity window's verdict
 * on this restart. `consecutive` and `startedAt`: the child's count of consecutive restarts so
 * far, and when its exited incarnation started (both read only with a backoff).
 */
export function decideRestart(
  verdict: Verdict,
  backoff: RestartBackoff | undefined,
  consecutive: number,
  startedAt: number,
  now: number,
): RestartDecision {
  if (verdict === 'give-up') return GIVE_UP;
  if (backoff === undefined) return consecutive === 0 ? AT_ONCE : { giveUp: false, delayMs: 0, consecutive };
  const next = backoff.next(consecutive, startedAt, now);
  return { giveUp: false, delayMs: backoff.delay(next), consecutive: next };
}
