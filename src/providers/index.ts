// The built-in providers: memory (with fault injection), file, http and process.
export { type BuiltinProviderEnv, type BuiltinProviderFactory, builtinProviders } from './builtin.js';
export { type FileProvider, type FileProviderOptions, type FileSpec, fileProvider } from './file.js';
export { type PathProblem, resolveInside } from './file-paths.js';
export { type HttpProvider, type HttpProviderOptions, httpProvider } from './http.js';
export { parseRetryAfter } from './http-errors.js';
export { patchOf } from './http-patch.js';
export {
  type MemoryCalls,
  type MemoryProvider,
  type MemoryProviderOptions,
  memoryProvider,
} from './memory.js';
export {
  compileFaults,
  DEFAULT_FLAP_MS,
  DEFAULT_ZOMBIE_MS,
  type FaultOutcome,
  type FaultRates,
  type Faults,
  INVALID_VALUE,
  MEMORY_OPERATIONS,
  type MemoryOperation,
  type Outage,
} from './memory-faults.js';
export {
  type ProcessProvider,
  type ProcessProviderOptions,
  type ProcessState,
  type ProcessStatus,
  processHealth,
  processProvider,
} from './process.js';
export { type ProcessHealthSpec, type ProcessSpec, processSpecProblems } from './process-spec.js';
