import type { Env } from './env.js';

/** The options of `loadConfig`, and their check. */
export interface LoadConfigOptions {
  /** Where `${env:NAME}` looks. Default `process.env`. */
  readonly env?: Env;
  /** The names `use:` accepts. Default `['file', 'http', 'memory', 'process', 'node']`. */
  readonly knownProviders?: readonly string[];
  /** Any file larger than this is refused unread. Default 1 MiB. */
  readonly maxFileBytes?: number;
}

export const DEFAULT_KNOWN_PROVIDERS: readonly string[] = ['file', 'http', 'memory', 'process', 'node'];
export const DEFAULT_MAX_FILE_BYTES = 1024 * 1024;

/** The options checked, with their defaults: misuse throws a `TypeError` naming the option. */
export function checkOptions(path: unknown, options: LoadConfigOptions) {
  if (typeof path !== 'string' || path === '') {
    throw new TypeError(`Expected \`path\` to be the path of a config file, got \`${String(path)}\``);
  }
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  if (typeof maxFileBytes !== 'number' || !Number.isInteger(maxFileBytes) || maxFileBytes < 1) {
    throw new TypeError(
      `Expected \`maxFileBytes\` to be a whole number of bytes from 1 up, got \`${String(maxFileBytes)}\``,
    );
  }
  const knownProviders = options.knownProviders ?? DEFAULT_KNOWN_PROVIDERS;
  if (!Array.isArray(knownProviders) || knownProviders.some((p) => typeof p !== 'string')) {
    throw new TypeError(
      `Expected \`knownProviders\` to be an array of provider names like ['file', 'http', 'memory', 'process', 'node'], got \`${String(knownProviders)}\``,
    );
  }
  const env = options.env ?? process.env;
  if (typeof env !== 'object' || env === null) {
    throw new TypeError(
      `Expected \`env\` to be an object of variables (like process.env), got \`${String(env)}\``,
    );
  }
  return { env, knownProviders, maxFileBytes };
}
