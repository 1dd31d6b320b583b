/**
 * `setpoint`: what a program that embeds the runtime uses. Explicit named exports only.
 *
 * Two more doors open onto the same package: `setpoint/testing` (the virtual clock, seeded
 * randomness, the memory provider with fault injection, the simulation) and
 * `setpoint/supervisor` (the whole supervision API, usable without the runtime). Anything not
 * exported from one of the three is internal and may change without notice.
 */

// ── the desired state as an API (REST and watch over a store of specs and status) ────────────
export { ApiError, type ApiErrorBody, type ApiErrorCode, type Problem } from './api/api-error.js';
export {
  createDesiredApi,
  type DesiredApi,
  type DesiredApiOptions,
  type ListOptions,
  type PublishResult,
  type WriteOptions,
} from './api/desired-api.js';
export { API_PREFIX } from './api/http-api.js';
export type { ApiObject } from './api/objects.js';
export { openApiDocument } from './api/openapi.js';
export { feedRuntime, type RuntimeFeed, type RuntimeFeedOptions } from './api/runtime-feed.js';
export {
  type Watch,
  type WatchEvent,
  WatchHub,
  type WatchHubOptions,
  type WatchOptions,
} from './api/watch-hub.js';
// ── backoff and rate limits ─────────────────────────────────────────────────────────────────
export { type Backoff, type BackoffOptions, exponentialBackoff } from './backoff/backoff.js';
export type { JitterMode } from './backoff/jitter.js';
export { createTokenBucket, type TokenBucket, type TokenBucketOptions } from './backoff/token-bucket.js';
// ── several instances on one PostgreSQL database ────────────────────────────────────────────
export {
  type Instance,
  type InstanceEvent,
  type InstanceOptions,
  startInstance,
} from './cluster/instance.js';
// ── the configuration file, for programs that read `setpoint.yaml` themselves ──────────────
export { formatDuration, parseDuration } from './config/duration.js';
export { formatIssues } from './config/format-issues.js';
export type { ConfigIssue, IssueCode, SourcePosition } from './config/issue.js';
export {
  type ConfigResult,
  type LoadConfigOptions,
  type LoadedConfig,
  loadConfig,
  type ProviderConfig,
} from './config/load-config.js';
export {
  PermanentError,
  ProviderContractError,
  RetryableError,
  TimeoutError,
  UnreachableError,
} from './contract/errors.js';
// ── writing a provider ──────────────────────────────────────────────────────────────────────
export {
  type CompareOptions,
  defineProvider,
  type FieldChange,
  type Health,
  isAborted,
  type Observed,
  type Provider,
  type ProviderContext,
} from './contract/provider.js';
export {
  type DriftPolicy,
  keyOf,
  parseKey,
  type Resource,
  type ResourceKey,
  type ResourcePolicy,
} from './contract/resource.js';
export { type Err, type Ok, type Result, unwrap } from './contract/result.js';
export { applyChanges, compareSpec } from './diff/compare.js';
// ── plans, diffs and dependencies ───────────────────────────────────────────────────────────
export { type DiffError, type DiffOptions, diff, type ResourceCollection } from './diff/diff.js';
export { type DependencyOrder, type GraphError, orderByDependencies } from './diff/graph.js';
export type { ActionType, Plan, PlannedAction, PlanSummary } from './diff/plan.js';
export { type RenderOptions, renderPlan, renderPlanJson } from './diff/render.js';
// ── built-in providers ──────────────────────────────────────────────────────────────────────
export {
  type BuiltinProviderEnv,
  type BuiltinProviderFactory,
  builtinProviders,
} from './providers/builtin.js';
export {
  type FileProvider,
  type FileProviderOptions,
  type FileSpec,
  fileProvider,
} from './providers/file.js';
export { type HttpProvider, type HttpProviderOptions, httpProvider } from './providers/http.js';
export {
  type ProcessProvider,
  type ProcessProviderOptions,
  type ProcessState,
  type ProcessStatus,
  processHealth,
  processProvider,
} from './providers/process.js';
export { type ProcessHealthSpec, type ProcessSpec, processSpecProblems } from './providers/process-spec.js';
export type { RateLimit } from './queue/operation-queue.js';
// ── the runtime ─────────────────────────────────────────────────────────────────────────────
export {
  type Condition,
  type ConditionType,
  createRuntime,
  DELETION_HELD,
  type DeletionBudgetLimit,
  type DeletionBudgetOptions,
  type DesiredChange,
  type DesiredSetError,
  type HeldDeletion,
  type ResourcePhase,
  type ResourceStatus,
  type Runtime,
  type RuntimeEventName,
  type RuntimeEvents,
  type RuntimeMetrics,
  type RuntimeOptions,
  type RuntimeState,
  type SetDesiredResult,
} from './runtime/index.js';
// ── the status server (/healthz, /readyz, /metrics, /status, the dashboard at /) ────────────
export type { DashboardOptions } from './server/dashboard/routes.js';
export { Timeline } from './server/dashboard/timeline.js';
export { createStatusServer, type StatusServer, type StatusServerOptions } from './server/status-server.js';
export {
  type EmbeddedSpecStore,
  type EmbeddedSpecStoreOptions,
  openEmbeddedSpecStore,
} from './store/desired/embedded-store.js';
export type { Change, ChangeType, SpecStore, SpecView, Write } from './store/desired/spec-store.js';
export type { StoredObject } from './store/desired/stored-object.js';
// ── the state store ─────────────────────────────────────────────────────────────────────────
export { createFileStore, type FileStoreOptions } from './store/file-store.js';
export { createMemoryStore } from './store/memory-store.js';
export {
  ConflictError,
  type DesiredStore,
  desiredStore,
  type Expect,
  SourceConflictError,
  type StoredResource,
} from './store/pg/desired-store.js';
export { FencedError } from './store/pg/leases.js';
export { migrate } from './store/pg/migrations.js';
export { openPostgresSpecStore, type PostgresSpecStoreOptions } from './store/pg/pg-spec-store.js';
export {
  createPostgresStore,
  type PostgresStateStore,
  type PostgresStoreOptions,
} from './store/pg/postgres-store.js';
export { shardOf } from './store/pg/shard-of.js';
export type {
  Intent,
  IntentOp,
  IntentOutcome,
  InventoryEntry,
  InventoryRecord,
  StateStore,
} from './store/state-store.js';
export { StateCorruptError, StateLockedError } from './store/store-errors.js';
// ── supervision (the whole API is in `setpoint/supervisor`) ─────────────────────────────────
export {
  type Child,
  type ChildLink,
  type ChildSpec,
  createDynamicSupervisor,
  createSupervisor,
  type DynamicSupervisor,
  type DynamicSupervisorOptions,
  type Exit,
  type RestartType,
  type Strategy,
  type Supervisor,
  type SupervisorOptions,
  type SupervisorTree,
} from './supervisor/index.js';
// ── time ────────────────────────────────────────────────────────────────────────────────────
export { type Clock, systemClock, systemRandom, type TimerHandle } from './time/clock.js';
export type { Random } from './time/random.js';
export { TestClock } from './time/test-clock.js';
