/**
 * The BEAM figures published with the performance targets (Erlang/OTP on this class of
 * machine, 2 cores, 100,000 processes, 1 s interval). The suite shows them, marked
 * "(published)", when `elixir` is not installed to measure the anchor afresh.
 * Where a range was published, `value` is its midpoint and `text` the range.
 */
export interface Published {
  readonly value: number;
  readonly text: string;
}

export const PUBLISHED_BEAM = {
  bytesPerProcess: { value: 3270, text: '3,270' },
  bytesPerProcessHibernated: { value: 2229, text: '2,229' },
  cpuUsPerTick: { value: 3.2, text: '3.2' },
  /** "keeps up" at 100,000 processes ticking every second. */
  ticksPerSec: { value: 100_000, text: '100,000 (keeps up)' },
  restartBatchUs: { value: 53, text: '46–60' },
  restartSingleP50Us: { value: 29, text: '29' },
  startUs: { value: 16, text: '12–20' },
  /** Erlang's simple_one_for_one stopping 100,000 children. */
  stopMs: { value: 1100, text: '1,100' },
  /** Elixir 1.14's DynamicSupervisor stopping 100,000 children (quadratic). */
  dynStopMs100k: { value: 416_000, text: '416,000' },
} as const satisfies Record<string, Published>;
