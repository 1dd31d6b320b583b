import { dirname, resolve } from 'node:path';
import { resolveServer, type ServerConfig } from '../config/defaults.js';
import { formatIssues } from '../config/format-issues.js';
import type { ConfigIssue } from '../config/issue.js';
import { DEFAULT_MAX_FILE_BYTES } from '../config/load-config.js';
import { parseConfigText } from '../config/parse-config.js';
import { readText } from '../config/read-text.js';
import { redactIssues } from '../config/redact-issues.js';
import { resolveStore, type StoreConfig } from '../config/store-config.js';
import { redact } from '../contract/redact.js';
import { type CliIo, colorFor } from './cli-io.js';

/** What `setpoint status` needs from a config: where to ask, and where the state is. */
export interface StatusConfig {
  readonly file: string;
  readonly state: string;
  readonly store: StoreConfig;
  readonly server: ServerConfig;
  readonly secrets: string[];
}

/**
 * Only the config file's `state:` and `server:` sections, checked. Resource files are not
 * read: `status` must work while a broken edit of them is being refused by a running instance.
 * Issues come back with the secrets read so far redacted, as from `loadConfig`.
 */
export async function loadStatusConfig(
  file: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<{ ok: true; config: StatusConfig } | { ok: false; errors: ConfigIssue[]; secrets: string[] }> {
  const read = await readText(file, DEFAULT_MAX_FILE_BYTES, true);
  if (!read.ok) return { ok: false, errors: [read.issue], secrets: [] };
  const parsed = parseConfigText(read.text, file, { env });
  const server = resolveServer(parsed.config.server);
  const store = resolveStore(parsed.config.store, parsed.config.cluster, parsed.locate);
  const secrets = [
    ...parsed.secrets,
    ...(server.token === undefined ? [] : [server.token]),
    ...store.secrets,
  ];
  const broken = ['state', 'server', 'store', 'cluster'].some((s) => parsed.broken.has(s as 'state'));
  if (broken || store.issues.length > 0) {
    return { ok: false, errors: redactIssues([...parsed.issues, ...store.issues], secrets), secrets };
  }
  const state = resolve(dirname(file), parsed.config.state ?? '.setpoint');
  return { ok: true, config: { file, state, store: store.store, server, secrets } };
}

/**
 * `loadStatusConfig` for a command: the config, or `undefined` after its problems were written
 * to stderr (secrets redacted), for the command to exit 1.
 */
export async function statusConfigFor(configPath: string, io: CliIo): Promise<StatusConfig | undefined> {
  const loaded = await loadStatusConfig(resolve(io.cwd, configPath), io.env);
  if (loaded.ok) return loaded.config;
  const shown = formatIssues(loaded.errors, { relativeTo: io.cwd, color: colorFor(io.stderr, io.env) });
  io.stderr.write(`${redact(shown, loaded.secrets)}\n`);
  return undefined;
}
