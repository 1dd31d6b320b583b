/**
 * Restart strategies: which siblings go down and come back with a child that exited.
 *
 * | strategy     | when child `c` must be restarted                                  |
 * |--------------|-------------------------------------------------------------------|
 * | `oneForOne`  | only `c` is started again; its siblings are left alone            |
 * | `oneForAll`  | every other child is stopped, then all are started again          |
 * | `restForOne` | the children started after `c` are stopped, then `c` and they are |
 * |              | started again (for children that depend on those before them)     |
 *
 * A strategy is a plan, not an action: {@link planRestart} says what to stop and what to
 * start; the supervisor carries it out. Stops run in reverse start order (dependents before
 * what they depend on), starts in start order.
 *
 * ```ts
 * planRestart('restForOne', ['db', 'cache', 'web'], 'cache');
 * // { stop: ['web'], start: ['cache', 'web'] }
 * ```
 */

/** OTP's `one_for_one`, `one_for_all`, `rest_for_one`. */
export type Strategy = 'oneForOne' | 'oneForAll' | 'restForOne';

export const STRATEGIES: readonly Strategy[] = ['oneForOne', 'oneForAll', 'restForOne'];

export interface RestartPlan {
  /** Siblings to stop first, in reverse start order. Never includes the failed child: it is already gone. */
  readonly stop: readonly string[];
  /** Children to start again, in start order. Always includes the failed child. */
  readonly start: readonly string[];
}

/**
 * Plan the restart of `failed` among children started in `order`.
 * Throws a `TypeError` if `failed` is not in `order`.
 */
export function planRestart(strategy: Strategy, order: readonly string[], failed: string): RestartPlan {
  const at = order.indexOf(failed);
  if (at < 0) {
    throw new TypeError(
      `Expected \`failed\` to be one of the children (${order.join(', ')}), got \`${failed}\``,
    );
  }
  switch (strategy) {
    case 'oneForOne':
      return { stop: [], start: [failed] };
    case 'oneForAll':
      return { stop: order.filter((id) => id !== failed).reverse(), start: [...order] };
    case 'restForOne':
      return { stop: order.slice(at + 1).reverse(), start: order.slice(at) };
    default:
      throw new TypeError(
        `Expected \`strategy\` to be one of ${STRATEGIES.join(', ')}, got \`${String(strategy)}\``,
      );
  }
}
