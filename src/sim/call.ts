/**
 * One provider call as the simulation sees it: recorded when it starts and when it settles,
 * with the virtual time and the trace step of each. The checkers take these records, so a
 * test can drive a checker with synthetic calls, without any runtime.
 */

/** The per-key operations of a provider (`list` is not per key and is not checked). */
export type CallOperation = 'observe' | 'create' | 'update' | 'delete' | 'restart';

export interface CallStart {
  /** Increasing per simulation: identifies the call across its start and end. */
  readonly id: number;
  readonly step: number;
  readonly atMs: number;
  readonly op: CallOperation;
  /** `kind/name`. */
  readonly key: string;
  /** The spec a create or update carries. */
  readonly spec?: Record<string, unknown>;
}

export interface CallEnd {
  readonly id: number;
  readonly step: number;
  readonly atMs: number;
  readonly op: CallOperation;
  readonly key: string;
  /** `undefined` when the call succeeded. */
  readonly error?: unknown;
}
