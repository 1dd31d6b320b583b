import { relative, resolve } from 'node:path';
import { loadConfig } from '../../config/load-config.js';
import { redact } from '../../contract/redact.js';
import type { ResourceStatus } from '../../runtime/index.js';
import { redactedJson } from '../../server/redact-json.js';
import { readStateDir } from '../../store/index.js';
import type { CliIo } from '../cli-io.js';
import type { CommonArgs } from '../parse-args.js';
import { plural } from '../plural.js';
import { maskSpec, secretFields } from '../secret-fields.js';
import { type StatusConfig, statusConfigFor } from '../status-config.js';
import { table } from '../table.js';
import { groupStatus } from './status-group.js';

const ASK_TIMEOUT_MS = 2000;

/**
 * `setpoint status`: ask the running instance (at `server.listen`) for its `/status`; when
 * nothing answers, read the state directory instead. Reads only; takes no lock.
 */
export async function statusCommand(args: CommonArgs, io: CliIo): Promise<number> {
  const status = await statusConfigFor(args.config, io);
  if (status === undefined) return 1;
  if (status.store.kind === 'postgres') return groupStatus(args, io, status, status.store);
  // The resource files too, when they load, for the secrets they hold and their secret fields;
  // a broken edit of them (which a running instance refuses) must not stop `status`.
  const file = resolve(io.cwd, args.config);
  const full = await loadConfig(file, { env: io.env });
  const resources = full.ok ? full.config.resources : [];
  const more = full.ok ? full.config.secrets : full.secrets;
  const config = { ...status, secrets: [...new Set([...status.secrets, ...more])] };
  const url = `${baseUrl(config)}/status`;
  const answer = await ask(url, config.server.token, io);
  if (answer.kind === 'refused') {
    io.stderr.write(
      `setpoint: ${url} answered ${answer.status}: ${redact(answer.text.trim(), config.secrets)}\n`,
    );
    return 1;
  }
  if (answer.kind === 'ok') {
    const body = answer.body as {
      ready?: boolean;
      resources?: ResourceStatus[];
      heldDeletions?: { key: string }[];
      sources?: { name: string; url: string; ref: string; commit: string | null; error: string | null }[];
      nodes?: { node: string; reachable: boolean }[];
    };
    if (args.json) {
      io.stdout.write(`${redactedJson({ source: 'server', url, ...body }, config.secrets, 2)}\n`);
      return 0;
    }
    const resources = body.resources ?? [];
    const rows = resources.map((r) => [r.key, r.phase, readiness(r), String(r.attempts), r.lastError ?? '']);
    io.stdout.write(
      `setpoint is running at ${url}: ${body.ready ? 'ready' : 'not ready'}, ${plural(resources.length, 'resource')}.\n` +
        `${redact(table([['KEY', 'PHASE', 'READY', 'ATTEMPTS', 'LAST ERROR'], ...rows]), config.secrets)}\n`,
    );
    for (const source of body.sources ?? []) {
      const at = source.commit === null ? 'no commit taken yet' : `at commit ${source.commit.slice(0, 12)}`;
      const why = source.error === null ? '' : `; the last sync failed: ${source.error.split('\n')[0]}`;
      io.stdout.write(
        redact(`Source ${source.name} (${source.url} ${source.ref}): ${at}${why}\n`, config.secrets),
      );
    }
    const nodes = body.nodes ?? [];
    if (nodes.length > 0) {
      const shown = nodes.map((n) => `${n.node} ${n.reachable ? 'reachable' : 'UNREACHABLE'}`);
      io.stdout.write(`Nodes: ${shown.join(', ')}\n`);
    }
    const held = body.heldDeletions ?? [];
    if (held.length > 0) {
      const keys = redact(held.map((h) => h.key).join(', '), config.secrets);
      io.stdout.write(`Deletes held by the deletion budget (setpoint approve lets them go): ${keys}\n`);
    }
    return 0;
  }
  const read = await readStateDir(config.state);
  // A secret field's earlier values (before a rotation) are secrets too: hide them by field.
  const fields = secretFields(resources, config.secrets);
  const state = {
    ...read,
    entries: read.entries.map((e) => {
      const paths = fields.get(e.key);
      if (paths === undefined) return e;
      return { ...e, lastApplied: maskSpec(e.lastApplied, paths), lastGood: maskSpec(e.lastGood, paths) };
    }),
  };
  const dir = relative(io.cwd, config.state) || config.state;
  if (args.json) {
    const view = { source: 'state', url, dir: config.state, ...state };
    io.stdout.write(`${redactedJson(view, config.secrets, 2)}\n`);
    return 0;
  }
  const lines = [`No setpoint answered at ${url}; from the state directory ${dir}:`];
  if (!state.exists) {
    lines.push('nothing is managed yet (run setpoint apply or setpoint run).');
  } else {
    const rows = state.entries.map((e) => [e.key, e.origin, new Date(e.updatedAt).toISOString()]);
    lines.push(table([['KEY', 'ORIGIN', 'UPDATED'], ...rows]));
    lines.push(
      `${state.entries.length} managed; ${plural(state.pending.length, 'intent')} pending` +
        (state.pending.length > 0
          ? ' (the next start looks at the world and resolves each; one it cannot observe stays pending, with a warning)'
          : '') +
        (state.lock ? `; locked by pid ${state.lock.pid} on ${state.lock.hostname}` : '') +
        '.',
    );
  }
  io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/** Where to reach the server from here: a wildcard listen address means this machine. */
export function baseUrl(config: StatusConfig): string {
  const { host, port } = config.server;
  const local = host === '0.0.0.0' ? '127.0.0.1' : host === '::' ? '::1' : host;
  return `http://${local.includes(':') ? `[${local}]` : local}:${port}`;
}

type Answer =
  | { kind: 'ok'; body: unknown }
  | { kind: 'refused'; status: number; text: string }
  | { kind: 'none' };

async function ask(url: string, token: string | undefined, io: CliIo): Promise<Answer> {
  const controller = new AbortController();
  const timer = io.clock.setTimeout(() => controller.abort(), ASK_TIMEOUT_MS);
  try {
    const response = await fetch(url, {
      signal: controller.signal,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    const text = await response.text();
    if (!response.ok) return { kind: 'refused', status: response.status, text };
    return { kind: 'ok', body: JSON.parse(text) };
  } catch {
    return { kind: 'none' };
  } finally {
    io.clock.clearTimeout(timer);
  }
}

/** `yes`, or `no` with the Ready condition's reason (`no (NodeUnreachable)`). */
function readiness(r: ResourceStatus): string {
  const ready = r.conditions.find((c) => c.type === 'Ready');
  if (ready?.status) return 'yes';
  return ready?.reason ? `no (${ready.reason})` : 'no';
}
