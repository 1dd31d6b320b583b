/**
 * The runtime's front door: what the layers above it (the command line, the status server, the
 * simulation, the package's exports) use. Everything else in this folder is its own business.
 */
export { isAfterPass, type ResourcePhase } from '../actors/phase.js';
export type { Condition, ConditionType, ResourceStatus } from '../actors/status.js';
export type { DesiredChange } from '../diff/desired-change.js';
export type { PlannedAction } from '../diff/plan.js';
export type { DesiredSetError } from '../diff/rules.js';
export type { ChildTree, SupervisorTree } from '../supervisor/index.js';
export { RUNTIME_DEFAULTS } from './defaults.js';
export { DELETION_HELD, type HeldDeletion } from './deletion-budget.js';
export type { DeletionBudgetLimit, DeletionBudgetOptions } from './deletion-budget-options.js';
export type { SetDesiredResult } from './desired-table.js';
export type { RuntimeEventName, RuntimeEvents } from './events.js';
export type { RuntimeMetrics } from './metrics.js';
export type { RuntimeOptions } from './options.js';
export { createRuntime, type Runtime, type RuntimeState } from './runtime.js';
