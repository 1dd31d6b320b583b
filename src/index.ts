// setpoint's public API: explicit named exports only.

export type { ResourcePhase } from './actors/resource.machine.js';
export { resourceMachine } from './actors/resource.machine.js';
// ── the resource actor (for those who build on it) ───────────────────────────────────────
export type { ActorHost, ActorNotice, PassResult } from './actors/resource-actor.js';
export { ResourceActor } from './actors/resource-actor.js';
export type { Condition, ConditionType, ResourceStatus } from './actors/status.js';
// ── backoff ──────────────────────────────────────────────────────────────────────────────
export type { Backoff, BackoffOptions } from './backoff/backoff.js';
export { DEFAULT_BACKOFF, exponentialBackoff } from './backoff/backoff.js';
export type { JitterMode } from './backoff/jitter.js';
export type { TokenBucket, TokenBucketOptions } from './backoff/token-bucket.js';
export { createTokenBucket } from './backoff/token-bucket.js';
export { formatDuration, parseDuration } from './config/duration.js';
export { formatIssues } from './config/format-issues.js';
export type { ConfigIssue, IssueCode, SourcePosition } from './config/issue.js';
// ── configuration ────────────────────────────────────────────────────────────────────────
export type { ConfigResult, LoadConfigOptions, LoadedConfig, ProviderConfig } from './config/load-config.js';
export { loadConfig } from './config/load-config.js';
export { parseConfigText } from './config/parse-config.js';
export { parseResourceText } from './config/parse-resource.js';
export { REDACTED, redact } from './config/redact.js';
export { redactIssues } from './config/redact-issues.js';
export { PermanentError, ProviderContractError, RetryableError, TimeoutError } from './contract/errors.js';
export type {
  CompareOptions,
  FieldChange,
  Health,
  Observed,
  Provider,
  ProviderContext,
} from './contract/provider.js';
export { defineProvider, isAborted } from './contract/provider.js';
// ── diff ─────────────────────────────────────────────────────────────────────────────────
export type { DriftPolicy, Resource, ResourceKey, ResourcePolicy } from './contract/resource.js';
export { keyOf, parseKey } from './contract/resource.js';
export type { Err, Ok, Result } from './contract/result.js';
export { err, ok, unwrap } from './contract/result.js';
export { applyChanges, compareSpec, isInSync, requiresReplace } from './diff/compare.js';
export type { DesiredChange } from './diff/desired-change.js';
export type { DiffError, DiffOptions, ResourceCollection } from './diff/diff.js';
export { diff } from './diff/diff.js';
export type { DependencyOrder, GraphError } from './diff/graph.js';
export { dependentsOf, orderByDependencies } from './diff/graph.js';
export type { ActionType, Plan, PlannedAction, PlanSummary } from './diff/plan.js';
export { emptyPlan, planFor, planOf, summarize } from './diff/plan.js';
export type { RenderOptions } from './diff/render.js';
export { renderPlan, renderPlanJson } from './diff/render.js';
export type { DesiredSetError } from './diff/rules.js';
export { builtinProviders } from './providers/builtin.js';
export type { FileProvider, FileProviderOptions, FileSpec } from './providers/file.js';
export { fileProvider } from './providers/file.js';
export type { HttpProvider, HttpProviderOptions } from './providers/http.js';
export { httpProvider } from './providers/http.js';
export type { MemoryCalls, MemoryProvider, MemoryProviderOptions } from './providers/memory.js';
// ── providers ────────────────────────────────────────────────────────────────────────────
export { memoryProvider } from './providers/memory.js';
export type { Faults, MemoryOperation, Outage } from './providers/memory-faults.js';
export type { RuntimeEventName, RuntimeEvents } from './runtime/events.js';
export type { RuntimeMetrics } from './runtime/metrics.js';
export type { OperationClient, OperationWork, RateLimit } from './runtime/operation-queue.js';
export { OperationQueue } from './runtime/operation-queue.js';
// ── runtime ──────────────────────────────────────────────────────────────────────────────
export type { Runtime, RuntimeOptions, RuntimeState, SetDesiredResult } from './runtime/runtime.js';
export { createRuntime } from './runtime/runtime.js';
export { redactedJson } from './server/redact-json.js';
// ── status server ────────────────────────────────────────────────────────────────────────
export type { StatusServer, StatusServerOptions } from './server/status-server.js';
export { createStatusServer } from './server/status-server.js';
// ── simulation ───────────────────────────────────────────────────────────────────────────
export type { SimFaults, SimOptions, SimReport, Violation, ViolationCounts } from './sim/index.js';
export { checkingProvider, formatReport, INVARIANTS, simulate } from './sim/index.js';
export type { FileStoreOptions } from './store/file-store.js';
export { createFileStore } from './store/file-store.js';
export { createMemoryStore } from './store/memory-store.js';
export { resolvePendingIntents } from './store/resolve-pending-intents.js';
export { specHash } from './store/spec-hash.js';
// ── state store ──────────────────────────────────────────────────────────────────────────
export type {
  Intent,
  IntentOp,
  IntentOutcome,
  InventoryEntry,
  InventoryRecord,
  StateStore,
} from './store/state-store.js';
export { StateLockedError } from './store/store-errors.js';
// ── supervision ──────────────────────────────────────────────────────────────────────────
export type {
  Child,
  ChildLimitReason,
  ChildLink,
  ChildSpec,
  ChildType,
  DynamicSupervisor,
  DynamicSupervisorOptions,
  Exit,
  ExitReason,
  Intensity,
  RestartBackoff,
  RestartBackoffOptions,
  RestartPlan,
  RestartType,
  Shutdown,
  Strategy,
  Supervisor,
  SupervisorEvents,
  SupervisorOptions,
  SupervisorTree,
  Verdict,
} from './supervisor/index.js';
export {
  ChildLimitError,
  ChildStartError,
  createDynamicSupervisor,
  createSupervisor,
  DEFAULT_INTENSITY,
  planRestart,
  RestartIntensityError,
  recordRestart,
  restartBackoff,
  STRATEGIES,
  shouldRestart,
} from './supervisor/index.js';
// ── time ─────────────────────────────────────────────────────────────────────────────────
export type { Clock, TimerHandle } from './time/clock.js';
export { systemClock, systemRandom } from './time/clock.js';
export type { Random } from './time/random.js';
export { seededRandom } from './time/random.js';
export type { TestClockOptions } from './time/test-clock.js';
export { TestClock } from './time/test-clock.js';
export type { Tickable } from './time/tick-timers.js';
export { TickTimers } from './time/tick-timers.js';
