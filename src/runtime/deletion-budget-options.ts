import { describe } from '../contract/describe.js';
import { RUNTIME_DEFAULTS } from './defaults.js';

/** How many deletes of one kind may go ahead without an explicit approval. */
export interface DeletionBudgetLimit {
  /** Deletes per window, at least. `Infinity`: no budget at all. Default 5. */
  max?: number;
  /** Or this fraction of the kind's managed resources, when that is more. Default 0.1. */
  fraction?: number;
  /** The window deletes are counted over, in ms; 0 counts each change of the desired set alone. Default 1 h. */
  windowMs?: number;
}

/** `createRuntime({ deletionBudget })`: a budget for every kind, and overrides for some. */
export interface DeletionBudgetOptions extends DeletionBudgetLimit {
  /** Per kind: a budget over the one above, or `false` for none. */
  kinds?: Readonly<Record<string, DeletionBudgetLimit | false>>;
}

/** One kind's budget, every field filled in. */
export interface BudgetLimit {
  readonly max: number;
  readonly fraction: number;
  readonly windowMs: number;
}

export interface DeletionBudgetSettings {
  readonly all: BudgetLimit;
  readonly kinds: ReadonlyMap<string, BudgetLimit>;
}

const UNLIMITED: BudgetLimit = Object.freeze({ max: Number.POSITIVE_INFINITY, fraction: 0, windowMs: 0 });

/** Check `deletionBudget` and fill in the defaults; `false` turns the budget off. */
export function resolveDeletionBudget(
  options: DeletionBudgetOptions | false | undefined,
): DeletionBudgetSettings {
  if (options === false) return { all: UNLIMITED, kinds: new Map() };
  if (options !== undefined && (typeof options !== 'object' || options === null)) {
    throw new TypeError(
      `Expected \`deletionBudget\` to be false or { max, fraction, windowMs, kinds }, got ${describe(options)}`,
    );
  }
  const all = limitOf('deletionBudget', options ?? {}, RUNTIME_DEFAULTS.deletionBudget);
  const kinds = new Map<string, BudgetLimit>();
  for (const [kind, limit] of Object.entries(options?.kinds ?? {})) {
    kinds.set(kind, limit === false ? UNLIMITED : limitOf(`deletionBudget.kinds.${kind}`, limit, all));
  }
  return { all, kinds };
}

/** The budget of `kind`. */
export function budgetOf(settings: DeletionBudgetSettings, kind: string): BudgetLimit {
  return settings.kinds.get(kind) ?? settings.all;
}

function limitOf(name: string, given: DeletionBudgetLimit, base: BudgetLimit): BudgetLimit {
  if (typeof given !== 'object' || given === null) {
    throw new TypeError(
      `Expected \`${name}\` to be { max, fraction, windowMs } or false, got ${describe(given)}`,
    );
  }
  const max = given.max ?? base.max;
  if (
    typeof max !== 'number' ||
    Number.isNaN(max) ||
    max < 0 ||
    (Number.isFinite(max) && !Number.isInteger(max))
  ) {
    throw new TypeError(
      `Expected \`${name}.max\` to be a whole number >= 0 or Infinity, got ${describe(max)}`,
    );
  }
  const fraction = given.fraction ?? base.fraction;
  if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
    throw new TypeError(
      `Expected \`${name}.fraction\` to be a number from 0 to 1, got ${describe(fraction)}`,
    );
  }
  const windowMs = given.windowMs ?? base.windowMs;
  if (typeof windowMs !== 'number' || !Number.isFinite(windowMs) || windowMs < 0) {
    throw new TypeError(`Expected \`${name}.windowMs\` to be a number >= 0, got ${describe(windowMs)}`);
  }
  return { max, fraction, windowMs };
}
