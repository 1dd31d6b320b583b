// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references
import { isAbsolute, join, resolve } from 'node:path';
import { parseDuration } from '../contract/duration-text.js';
import type { Provider } from '../contract/provider.js';
import type { Clock } from '../time/clock.js';
import type { Random } from '../time/random.js';
import { fileProvider } from './file.js';
import { type HttpProviderOptions, httpProvider } from './http.js';
import { memoryProvider } from './memory.js';
import type { Faults } from './memory-faults.js';
import { nodeProvider } from './node.js';
import { checkString, isRecord, optionError, rejectUnknownKeys } from './options.js';
import { processProvider } from './process.js';

/**
 * The built-in providers by the name a config file uses for them:
 *
 * ```yaml
 * providers:
 *   files: { use: file, options: { root: ./out } }
 *   users: { use: http, options: { baseUrl: "http://127.0.0.1:8080/users", update: PATCH } }
 *   things: { use: memory, options: { faults: { failRate: 0.1 } } }
 *   services: { use: process, options: { dir: ./run } }
 * ```
 *
 * ```ts
 * const make = builtinProviders[entry.use];  // undefined for an unknown name
 * const provider = make?.(entry.options ?? {}, { clock, random, kind: 'files', configDir });
 * ```
 *
 * The kind comes from the config's key, never from the options; a relative `root` (or `dir`)
 * is resolved against the config file's directory. Bad options throw a `TypeError` that names the provider,
 * the kind, the option, the value and what is allowed.
 */
export interface BuiltinProviderEnv {
  readonly clock: Clock;
  readonly random: Random;
  /** The kind the provider will manage: the key under `providers:`. */
  readonly kind: string;
  /** The directory of the config file: relative paths in options are resolved against it. */
  readonly configDir: string;
  /**
   * The state directory (absolute), where a provider may keep what it must find again after a
   * restart (the `process` provider's records: `<stateDir>/processes`). Absent: a provider
   * uses `<configDir>/.setpoint`.
   */
  readonly stateDir?: string;
}

export type BuiltinProviderFactory = (options: Record<string, unknown>, env: BuiltinProviderEnv) => Provider;

const factories: Record<string, BuiltinProviderFactory> = {
  memory(options, env) {
    rejectUnknownKeys(options, ['faults', 'initial'], 'options');
    if (options.initial !== undefined && !isRecord(options.initial)) {
      throw optionError(
        'options.initial',
        options.initial,
        'a mapping of name to spec, like { a: { size: 1 } }',
      );
    }
    return memoryProvider({
      kind: env.kind,
      clock: env.clock,
      random: env.random,
      faults: options.faults as Faults | undefined,
      initial: options.initial as Record<string, Record<string, unknown>> | undefined,
    });
  },
  file(options, env) {
    rejectUnknownKeys(options, ['root'], 'options');
    const root = checkString(options.root, 'options.root', "'./out' (relative to the config file)");
    return fileProvider({
      kind: env.kind,
      root: isAbsolute(root) ? root : resolve(env.configDir, root),
    }) as Provider;
  },
  process(options, env) {
    rejectUnknownKeys(options, ['dir', 'root'], 'options');
    const inConfigDir = (path: string) => (isAbsolute(path) ? path : resolve(env.configDir, path));
    const dir =
      options.dir === undefined
        ? join(env.stateDir ?? join(env.configDir, '.setpoint'), 'processes')
        : inConfigDir(checkString(options.dir, 'options.dir', "'./run' (relative to the config file)"));
    const root =
      options.root === undefined
        ? env.configDir
        : inConfigDir(checkString(options.root, 'options.root', "'./apps' (relative to the config file)"));
    return processProvider({ kind: env.kind, dir, root }) as Provider;
  },
  node(options, env) {
    rejectUnknownKeys(options, ['nodes', 'heartbeat', 'missedBeats', 'callTimeout'], 'options');
    const nodes = options.nodes;
    if (!isRecord(nodes) || Object.keys(nodes).length === 0) {
      throw optionError(
        'options.nodes',
        nodes,
        'a mapping of node name to { url, token }, like { en1: { url: "http://10.0.0.11:7400", token: "${env:EN1_TOKEN}" } }',
      );
    }
    const checked: Record<string, { url: string; token: string }> = {};
    for (const [name, entry] of Object.entries(nodes)) {
      if (!isRecord(entry)) throw optionError(`options.nodes.${name}`, entry, 'a mapping { url, token }');
      rejectUnknownKeys(entry, ['url', 'token'], `options.nodes.${name}`);
      const url = checkString(entry.url, `options.nodes.${name}.url`, "'http://10.0.0.11:7400'");
      const token = checkString(entry.token, `options.nodes.${name}.token`, "'${env:EN1_TOKEN}'");
      checked[name] = { url: url.replace(/\/+$/, ''), token };
    }
    const ms = (key: string): number | undefined => {
      const value = options[key];
      if (value === undefined) return undefined;
      if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
      const parsed = typeof value === 'string' ? parseDuration(value) : undefined;
      if (parsed?.ok && parsed.ms > 0) return parsed.ms;
      throw optionError(`options.${key}`, value, 'a duration like 1s or 500ms');
    };
    const missed = options.missedBeats;
    if (missed !== undefined && !(Number.isInteger(missed) && (missed as number) >= 1)) {
      throw optionError('options.missedBeats', missed, 'a whole number from 1');
    }
    return nodeProvider({
      kind: env.kind,
      clock: env.clock,
      nodes: checked,
      ...(ms('heartbeat') === undefined ? {} : { heartbeatMs: ms('heartbeat') }),
      ...(missed === undefined ? {} : { missedBeats: missed as number }),
      ...(ms('callTimeout') === undefined ? {} : { callTimeoutMs: ms('callTimeout') }),
    }) as Provider;
  },
  http(options, env) {
    if ('kind' in options) {
      throw new TypeError('Unknown option `options.kind`: the kind is the key under `providers:`');
    }
    return httpProvider({ ...options, kind: env.kind } as unknown as HttpProviderOptions);
  },
};

function labelled(use: string, make: BuiltinProviderFactory): BuiltinProviderFactory {
  return (options, env) => {
    if (
      !isRecord(env) ||
      typeof env.configDir !== 'string' ||
      typeof env.kind !== 'string' ||
      (env.stateDir !== undefined && typeof env.stateDir !== 'string')
    ) {
      throw optionError('env', env, 'an object { clock, random, kind, configDir, stateDir? }');
    }
    if (options === undefined) options = {};
    try {
      if (!isRecord(options)) throw optionError('options', options, 'a mapping of option names to values');
      return make(options, env);
    } catch (error) {
      if (error instanceof TypeError) {
        throw new TypeError(`The \`${use}\` provider for kind \`${env.kind}\`: ${error.message}`, {
          cause: error,
        });
      }
      throw error;
    }
  };
}

/** `memory`, `file`, `http`, `process` and `node`, by name. Has no prototype: `builtinProviders.toString` is `undefined`. */
export const builtinProviders: Readonly<Record<string, BuiltinProviderFactory>> = Object.freeze(
  Object.assign(
    Object.create(null) as Record<string, BuiltinProviderFactory>,
    Object.fromEntries(Object.entries(factories).map(([use, make]) => [use, labelled(use, make)])),
  ),
);
