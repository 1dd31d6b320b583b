/**
 * Deterministic simulation: hours of reconciling under injected faults, in seconds, with the
 * runtime's invariants checked at every call and event. See `docs/reliability.md`.
 */

export { CONVERGENCE_SLACK_MS, convergenceBound, DEFAULT_OUTAGE_MS, defaultIntensity } from './bounds.js';
export type { CallEnd, CallOperation, CallStart } from './call.js';
export { type CallObserver, checkingProvider } from './checking-provider.js';
export { BackoffCheck, type BackoffCheckOptions, type FailedNotice } from './checks/backoff-check.js';
export {
  type ConvergenceInput,
  type ConvergenceVerdict,
  checkConvergence,
  type StatusView,
} from './checks/convergence-check.js';
export { CREATE_OF_EXISTING, CreateExistingCheck } from './checks/create-existing-check.js';
export { OverlapCheck } from './checks/overlap-check.js';
export { StaleSpecCheck, type StaleSpecCheckOptions } from './checks/stale-spec-check.js';
export {
  type Intensity,
  SupervisionCheck,
  type SupervisionCheckOptions,
} from './checks/supervision-check.js';
export { UnmanagedCheck, type UnmanagedCheckOptions } from './checks/unmanaged-check.js';
export { formatReport, type SimReport } from './report.js';
export {
  type ResolvedSimOptions,
  resolveSimOptions,
  type SimFaults,
  type SimOptions,
} from './sim-options.js';
export { simulate } from './simulate.js';
export { type SoakSettings, soakCommand, soakOptions } from './soak-profile.js';
export { Trace } from './trace.js';
export {
  INVARIANTS,
  type InvariantName,
  type Violation,
  type ViolationCounts,
  Violations,
} from './violation.js';
export { Workload, type WorkloadOptions } from './workload.js';
