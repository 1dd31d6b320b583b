import type { Violation, ViolationCounts } from './violation.js';
import { INVARIANTS } from './violation.js';

/** What {@link simulate} returns. Times in ms of virtual time. */
export interface SimReport {
  readonly seed: number;
  readonly resources: number;
  readonly kinds: number;
  readonly durationMs: number;
  readonly faultWindowMs: number;
  /** The world reached the last desired set after the faults stopped, within the bound, and stayed there. */
  readonly converged: boolean;
  /** From the faults stopping to the last resource becoming Ready; `undefined` if it never converged. */
  readonly timeToConvergeMs: number | undefined;
  readonly convergenceBoundMs: number;
  /** Provider calls started, per operation. */
  readonly operations: { observe: number; create: number; update: number; delete: number; restart: number };
  /** `action:failed` events. */
  readonly failures: number;
  /** `actor:crashed` events. */
  readonly crashes: number;
  /** `actor:restarted` events. */
  readonly restarts: number;
  /** `supervisor:escalated` events. */
  readonly escalations: number;
  /** Provider calls that drew the zombie fault: deaf to their abort, they ran on and wrote late. */
  readonly zombies: number;
  /** Successful writes another writer undid later (`flapRate`): writes by someone else, not calls. */
  readonly reverts: number;
  /** `hotloop` events: resources applied more than `hotLoop.maxApplies` times at one generation. */
  readonly hotLoops: number;
  /** `hotloop:ended` events: hot loops that held. */
  readonly hotLoopsEnded: number;
  /** Whether the root gave up (`runtime:failed`). */
  readonly runtimeFailed: boolean;
  /** Desired sets handed to the runtime (the first included). */
  readonly desiredSets: number;
  /** Resources held back by design at the end: Degraded by a `PermanentError`. */
  readonly held: number;
  /** Every violation counted, per invariant. */
  readonly violationCounts: ViolationCounts;
  /** The first violations in full (up to 100). */
  readonly violations: readonly Violation[];
  /** sha256 of the whole trace: equal for equal seeds and options. */
  readonly traceHash: string;
  readonly traceSteps: number;
  /** The trace's lines, when `keepTrace` was set. */
  readonly trace?: readonly string[];
}

const hours = (ms: number): string => `${+(ms / 3_600_000).toFixed(2)} h`;

/** The report as text for a terminal; with the replay command when something failed. */
export function formatReport(report: SimReport, options: { replay?: string } = {}): string {
  const ops = report.operations;
  const lines = [
    `seed ${report.seed}: ${report.resources} resources in ${report.kinds} kinds, ${hours(report.durationMs)} virtual (faults for ${hours(report.faultWindowMs)}), ${report.desiredSets} desired sets`,
    `operations: observe ${ops.observe}, create ${ops.create}, update ${ops.update}, delete ${ops.delete}, restart ${ops.restart}`,
    `failures ${report.failures}, crashes ${report.crashes}, restarts ${report.restarts}, escalations ${report.escalations}${report.zombies > 0 ? `, zombie calls ${report.zombies}` : ''}${report.reverts > 0 ? `, writes undone by another writer ${report.reverts}` : ''}${report.runtimeFailed ? ', RUNTIME FAILED' : ''}`,
    ...(report.hotLoops > 0 || report.hotLoopsEnded > 0
      ? [`hot loops ${report.hotLoops}, ended ${report.hotLoopsEnded}`]
      : []),
    report.converged
      ? `converged ${report.timeToConvergeMs} ms after the faults stopped (bound ${report.convergenceBoundMs} ms)${report.held > 0 ? `; ${report.held} held Degraded by permanent errors` : ''}`
      : `DID NOT CONVERGE within ${report.convergenceBoundMs} ms of the faults stopping`,
    `invariants: ${INVARIANTS.map((name) => `${name} ${report.violationCounts[name]}`).join(', ')}`,
    `trace: ${report.traceSteps} steps, sha256 ${report.traceHash}`,
  ];
  for (const v of report.violations.slice(0, 20)) {
    lines.push(`  VIOLATION ${v.invariant} at step ${v.step} (${v.atMs} ms) ${v.key}: ${v.detail}`);
  }
  const total = Object.values(report.violationCounts).reduce((a, b) => a + b, 0);
  if (total > 0 || !report.converged)
    lines.push(`replay with: ${options.replay ?? `npm run soak -- --seed ${report.seed}`}`);
  return lines.join('\n');
}
