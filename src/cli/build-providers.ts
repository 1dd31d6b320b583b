import { relative } from 'node:path';
import { pathToFileURL } from 'node:url';
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
  | { readonly ok: false; readonly errors: string[] };

/**
 * Make one provider per kind from the config: built-ins by `use:`, your own by `module:`.
 *
 * A provider module is imported from its absolute path. Its provider is, in this order of
 * preference, the named export `createProvider`, the named export `provider`, or the default
 * export; each may be
 *
 * - a **factory** `(options, env) => Provider` (or a promise of one), called with the entry's
 *   `options` and `{ clock, random, kind, configDir }`: the way to serve several kinds from one
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
 * Building calls no provider operation. Every problem is collected; none throws.
 */
export async function buildProviders(
  config: LoadedConfig,
  services: { readonly clock: Clock; readonly random: Random },
): Promise<BuiltProviders> {
  const providers: Provider[] = [];
  const errors: string[] = [];
  for (const [kind, entry] of Object.entries(config.providers)) {
    const env: ProviderModuleEnv = { ...services, kind, configDir: config.dir };
    try {
      const provider =
        entry.use !== undefined ? builtinProviders[entry.use]?.(entry.options, env) : undefined;
      const built = provider ?? (await fromModule(entry, env));
      if (built.kind !== kind) {
        throw new TypeError(
          `its kind is \`${built.kind}\`, but it is configured under \`${kind}\`: make them the same (a factory gets the kind as \`env.kind\`)`,
        );
      }
      providers.push(built);
    } catch (error) {
      const source = entry.use !== undefined ? `built-in \`${entry.use}\`` : moduleName(entry, config);
      errors.push(`${config.file}: provider for kind \`${kind}\` (${source}): ${messageOf(error)}`);
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, providers };
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
