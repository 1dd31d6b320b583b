import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ConfigIssue, issue } from '../config/issue.js';
import type { LoadedConfig, ProviderConfig } from '../config/load-config.js';
import { defineProvider, type Provider } from '../contract/provider.js';
import { type BuiltinProviderEnv, builtinProviders } from '../providers/index.js';
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';

/** What a provider module's factory receives: the same as a built-in's. */
export type ProviderModuleEnv = BuiltinProviderEnv;

/** A factory exported by a provider module. */
export type ProviderFactory = (
  options: Record<string, unknown>,
  env: ProviderModuleEnv,
) => Provider | Promise<Provider>;

export type BuiltProviders =
  | { readonly ok: true; readonly providers: Provider[] }
  | { readonly ok: false; readonly issues: ConfigIssue[] };

/** How long a provider module may take to load and build its provider. */
export const PROVIDER_BUILD_TIMEOUT_MS = 10_000;

/**
 * Make one provider per kind from the config: built-ins by `use:`, your own by `module:`.
 *
 * A provider module is imported from its absolute path. Its provider is, in this order of
 * preference, the named export `createProvider`, the named export `provider`, or the default
 * export; each may be
 *
 * - a **factory** `(options, env) => Provider` (or a promise of one), called with the entry's
 *   `options` and `{ clock, random, kind, configDir, stateDir }`: the way to serve several kinds from one
 *   module, or to take options;
 * - a **provider object** `{ kind, observe, create, update, delete, ... }`.
 *
 * Either way the provider's `kind` must be the key it is configured under.
 *
 * ```js
 * // providers/buckets.js
 * export function createProvider(options, { kind }) {
 *   return { kind, async observe(ref, ctx) { ... }, async create(desired, ctx) { ... }, ... };
 * }
 * ```
 *
 * Building calls no provider operation, but it does import and run the module's code: a config
 * is trusted like a program. Every problem is collected as an issue at the entry's `options:`
 * (none throws); a module that takes longer than `timeoutMs` to give its provider is one.
 */
export async function buildProviders(
  config: LoadedConfig,
  services: { readonly clock: Clock; readonly random: Random; readonly timeoutMs?: number },
): Promise<BuiltProviders> {
  const providers: Provider[] = [];
  const issues: ConfigIssue[] = [];
  const { clock, random } = services;
  const timeoutMs = services.timeoutMs ?? PROVIDER_BUILD_TIMEOUT_MS;
  for (const [kind, entry] of Object.entries(config.providers)) {
    const env: ProviderModuleEnv = { clock, random, kind, configDir: config.dir, stateDir: config.state };
    try {
      const provider =
        entry.use !== undefined ? builtinProviders[entry.use]?.(entry.options, env) : undefined;
      const built = provider ?? (await withTimeout(fromModule(entry, env), clock, timeoutMs));
      if (built.kind !== kind) {
        throw new TypeError(
          `its kind is \`${built.kind}\`, but it is configured under \`${kind}\`: make them the same (a factory gets the kind as \`env.kind\`)`,
        );
      }
      providers.push(built);
    } catch (error) {
      const source = entry.use !== undefined ? `built-in \`${entry.use}\`` : moduleName(entry, config);
      issues.push(
        issue(
          'invalid-provider',
          entry.source ?? { file: config.file, line: 1, column: 1 },
          `provider for kind \`${kind}\` (${source}): ${messageOf(error)}`,
          error instanceof BuildTimeout
            ? 'make the module export its provider, or a factory that returns (or resolves to) one without waiting on anything that never comes'
            : entry.use !== undefined
              ? `fix this provider's options: see the \`${entry.use}\` provider in the documentation`
              : 'fix the options, or the module: it must export a provider (or a factory of one) for this kind',
        ),
      );
    }
  }
  return issues.length > 0 ? { ok: false, issues } : { ok: true, providers };
}

class BuildTimeout extends Error {}

/** `work`, or a rejection once `ms` have passed without it settling. */
function withTimeout<T>(work: Promise<T>, clock: Clock, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = clock.setTimeout(
      () =>
        reject(
          new BuildTimeout(
            `the module did not give its provider within ${ms / 1000} s (its import or factory never settles)`,
          ),
        ),
      ms,
    );
    work.then(
      (value) => {
        clock.clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clock.clearTimeout(timer);
        reject(error);
      },
    );
  });
}

async function fromModule(entry: ProviderConfig, env: ProviderModuleEnv): Promise<Provider> {
  if (entry.module === undefined) throw new TypeError('neither `use` nor `module` is set');
  const exports = (await import(pathToFileURL(entry.module).href)) as Record<string, unknown>;
  const candidate = exports.createProvider ?? exports.provider ?? exports.default;
  if (candidate === undefined) {
    throw new TypeError(
      'the module exports no provider: export `createProvider(options, env)`, `provider`, or a default export',
    );
  }
  const value = typeof candidate === 'function' ? await candidate(entry.options, env) : candidate;
  if (typeof value !== 'object' || value === null) {
    throw new TypeError(`the module's provider is ${value === null ? 'null' : typeof value}, not an object`);
  }
  return defineProvider(value as Provider);
}

function moduleName(entry: ProviderConfig, config: LoadedConfig): string {
  return entry.module === undefined ? 'no source' : `module ${relative(config.dir, entry.module)}`;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
