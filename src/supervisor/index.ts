// Supervision: OTP-style supervisors for anything that can start, stop and report its exit.
export type {
  Child,
  ChildLink,
  ChildSpec,
  ChildType,
  Exit,
  ExitReason,
  RestartType,
  Shutdown,
} from './child-spec.js';
export { restartOf, shouldRestart, shutdownOf, typeOf } from './child-spec.js';
export type {
  DynamicSupervisor,
  DynamicSupervisorOptions,
} from './dynamic-supervisor.js';
export { createDynamicSupervisor } from './dynamic-supervisor.js';
export type { ChildLimitReason } from './errors.js';
export { ChildLimitError, ChildStartError, RestartIntensityError } from './errors.js';
export type {
  ChildExitedEvent,
  ChildKilledEvent,
  ChildRestartedEvent,
  ChildStartedEvent,
  ChildStopFailedEvent,
  SupervisorEscalatedEvent,
  SupervisorEventName,
  SupervisorEvents,
  SupervisorStoppedEvent,
} from './events.js';
export type { RestartBackoff, RestartBackoffOptions } from './restart-backoff.js';
export { restartBackoff } from './restart-backoff.js';
export type { Intensity, Verdict } from './restart-intensity.js';
export { DEFAULT_INTENSITY, recordRestart } from './restart-intensity.js';
export type { RestartPlan, Strategy } from './strategy.js';
export { planRestart, STRATEGIES } from './strategy.js';
export type { Supervisor, SupervisorOptions } from './supervisor.js';
export { createSupervisor } from './supervisor.js';
export type {
  ChildCounts,
  ChildInfo,
  ChildState,
  ChildTree,
  SupervisorState,
  SupervisorTree,
} from './tree.js';
