import { parseDuration } from '../contract/duration-text.js';
import type { SpecProblem } from '../contract/provider.js';
import { appendSegment } from '../diff/path.js';
import { isRecord, optionError } from './options.js';

/**
 * The spec of a `process` resource, its check (every problem at its field, reading nothing)
 * and its settings with the defaults filled in.
 *
 * ```yaml
 * spec:
 *   command: /usr/bin/node
 *   args: [server.js]
 *   env: { GREETING: hi }
 *   cwd: ./apps/web
 *   version: "1.2.0"
 *   port: auto
 *   health: { http: { path: /healthz }, timeout: 2s, startPeriod: 30s }
 *   stopGrace: 5s
 * ```
 */
export type ProcessSpec = {
  /** An absolute path, or a name looked up on `PATH`. Never run through a shell. */
  command: string;
  args?: string[];
  /** Set over the inherited `PATH`, `HOME` and `LANG`. */
  env?: Record<string, string>;
  /** Relative to the provider's root. Default: the root. */
  cwd?: string;
  /** What is running: a change (of this or any other field) is an update. */
  version: string;
  /** `auto`: a free 127.0.0.1 port picked at each start; or a fixed one. Passed as `PORT`. */
  port?: 'auto' | number;
  /** Absent: healthy while the process is alive. */
  health?: ProcessHealthSpec;
  /** How long after SIGTERM a stop sends SIGKILL: a duration (`5s`) or ms. Default 5s. */
  stopGrace?: string | number;
};

/** One probe (`http`, `tcp` or `exec`), its timeout and the grace a fresh start gets. */
export type ProcessHealthSpec = {
  /** A 2xx answer to `GET http://127.0.0.1:<port><path>` is healthy. */
  http?: { path?: string; port?: number };
  /** A TCP connection to `127.0.0.1:<port>` that opens is healthy. */
  tcp?: { port?: number };
  /** A command that exits 0 is healthy (run in the process's cwd, with its env). */
  exec?: { command: string; args?: string[] };
  /** Per probe. Default 2s. */
  timeout?: string | number;
  /** How long a fresh start may take to become healthy. Default 30s. */
  startPeriod?: string | number;
};

export type Probe =
  | { readonly type: 'http'; readonly path: string; readonly port: number | undefined }
  | { readonly type: 'tcp'; readonly port: number | undefined }
  | { readonly type: 'exec'; readonly command: string; readonly args: readonly string[] };

/** A valid spec's settings, with the defaults. */
export interface ProcessSettings {
  readonly probe: Probe | undefined;
  readonly timeoutMs: number;
  readonly startPeriodMs: number;
  readonly stopGraceMs: number;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 2000;
export const DEFAULT_START_PERIOD_MS = 30_000;
export const DEFAULT_STOP_GRACE_MS = 5000;

const FIELDS = ['command', 'args', 'env', 'cwd', 'version', 'port', 'health', 'stopGrace'];
const HEALTH_FIELDS = ['http', 'tcp', 'exec', 'timeout', 'startPeriod'];
const PROBES = ['http', 'tcp', 'exec'] as const;
const PROBE_FIELDS: Record<(typeof PROBES)[number], string[]> = {
  http: ['path', 'port'],
  tcp: ['port'],
  exec: ['command', 'args'],
};
const NUL = '\u0000';

type Problems = SpecProblem[];

function bad(problems: Problems, path: string, value: unknown, expected: string): void {
  problems.push({
    path,
    message: optionError(
      `spec${path === '' ? '' : path.startsWith('[') ? path : `.${path}`}`,
      value,
      expected,
    ).message,
  });
}

function unknownFields(problems: Problems, at: string, value: Record<string, unknown>, allowed: string[]) {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) {
      const path = appendSegment(at, key);
      problems.push({
        path,
        message: `Unknown field \`spec.${path}\`: the fields here are ${allowed.map((k) => `\`${k}\``).join(', ')}`,
      });
    }
  }
}

function text(problems: Problems, path: string, value: unknown, expected: string): value is string {
  if (typeof value === 'string' && value.length > 0 && !value.includes(NUL)) return true;
  bad(problems, path, value, expected);
  return false;
}

function command(problems: Problems, path: string, value: unknown): void {
  const expected = 'an absolute path or a name found on PATH, like /usr/bin/node or node';
  if (!text(problems, path, value, expected)) return;
  if (value.includes('/') && !value.startsWith('/')) bad(problems, path, value, expected);
}

function strings(problems: Problems, path: string, value: unknown): void {
  if (value === undefined) return;
  if (!Array.isArray(value)) {
    bad(problems, path, value, 'a list of strings, like [server.js, --verbose]');
    return;
  }
  value.forEach((item, i) => {
    if (typeof item !== 'string' || item.includes(NUL)) {
      bad(problems, appendSegment(path, i), item, 'a string (quote numbers in YAML)');
    }
  });
}

function port(problems: Problems, path: string, value: unknown, auto: boolean): void {
  if (value === undefined || (auto && value === 'auto')) return;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 65_535) {
    bad(problems, path, value, `${auto ? '`auto` or ' : ''}a TCP port from 1 to 65535`);
  }
}

function duration(problems: Problems, path: string, value: unknown, minMs: number): void {
  if (value === undefined) return;
  const parsed = parseDuration(value);
  if (!parsed.ok || parsed.ms < minMs) {
    const floor = minMs > 0 ? ` of at least ${minMs} ms` : '';
    bad(problems, path, value, `a duration${floor} like 500ms, 2s or 1m, or a number of ms`);
  }
}

/** Every problem of a `process` spec, each at its field (`env.A`, `health.http.port`). */
export function processSpecProblems(spec: unknown): SpecProblem[] {
  const problems: Problems = [];
  if (!isRecord(spec)) {
    bad(problems, '', spec, 'an object like { command: /usr/bin/node, version: "1.0.0" }');
    return problems;
  }
  unknownFields(problems, '', spec, FIELDS);
  command(problems, 'command', spec.command);
  strings(problems, 'args', spec.args);
  if (spec.env !== undefined) {
    if (!isRecord(spec.env)) bad(problems, 'env', spec.env, 'a mapping of names to strings, like { A: "1" }');
    else {
      for (const [key, value] of Object.entries(spec.env)) {
        const path = appendSegment('env', key);
        if (key === '' || key.includes('=') || key.includes(NUL))
          bad(problems, path, key, 'a name without `=`');
        else if (typeof value !== 'string' || value.includes(NUL)) {
          bad(problems, path, value, 'a string (quote numbers and booleans in YAML)');
        } else if (key === 'PORT' && spec.port !== undefined) {
          bad(problems, path, value, 'absent: `port` sets PORT');
        }
      }
    }
  }
  if (spec.cwd !== undefined)
    text(problems, 'cwd', spec.cwd, 'a directory, relative to the root, like ./apps/web');
  text(problems, 'version', spec.version, 'a non-empty string, like "1.2.0" (quote it in YAML)');
  port(problems, 'port', spec.port, true);
  health(problems, spec.health, spec.port !== undefined);
  duration(problems, 'stopGrace', spec.stopGrace, 0);
  return problems;
}

function health(problems: Problems, value: unknown, hasPort: boolean): void {
  if (value === undefined) return;
  if (!isRecord(value)) {
    bad(problems, 'health', value, 'an object with one probe: { http: { path: /healthz } }');
    return;
  }
  unknownFields(problems, 'health', value, HEALTH_FIELDS);
  const probes = PROBES.filter((probe) => value[probe] !== undefined);
  if (probes.length > 1) {
    problems.push({
      path: 'health',
      message: `\`spec.health\` has ${probes.map((p) => `\`${p}\``).join(' and ')}: give one probe`,
    });
  }
  for (const type of probes) {
    const path = `health.${type}`;
    const probe = value[type];
    if (!isRecord(probe)) {
      bad(problems, path, probe, type === 'exec' ? 'an object like { command: /bin/true }' : 'an object');
      continue;
    }
    unknownFields(problems, path, probe, PROBE_FIELDS[type]);
    if (type === 'exec') {
      command(problems, `${path}.command`, probe.command);
      strings(problems, `${path}.args`, probe.args);
      continue;
    }
    port(problems, `${path}.port`, probe.port, false);
    if (probe.port === undefined && !hasPort) {
      bad(problems, `${path}.port`, probe.port, 'a port: the process has none (`spec.port` is not set)');
    }
    if (type === 'http' && probe.path !== undefined) {
      if (typeof probe.path !== 'string' || !/^\/[^\s\p{Cc}]*$/u.test(probe.path)) {
        bad(problems, `${path}.path`, probe.path, 'a path starting with /, like /healthz');
      }
    }
  }
  duration(problems, 'health.timeout', value.timeout, 1);
  duration(problems, 'health.startPeriod', value.startPeriod, 0);
}

function ms(value: string | number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const parsed = parseDuration(value);
  return parsed.ok ? parsed.ms : fallback;
}

/** The settings of a spec `processSpecProblems` found nothing wrong with. */
export function settingsOf(spec: ProcessSpec): ProcessSettings {
  const health = spec.health;
  let probe: Probe | undefined;
  if (health?.http) probe = { type: 'http', path: health.http.path ?? '/', port: health.http.port };
  else if (health?.tcp) probe = { type: 'tcp', port: health.tcp.port };
  else if (health?.exec) probe = { type: 'exec', command: health.exec.command, args: health.exec.args ?? [] };
  return {
    probe,
    timeoutMs: ms(health?.timeout, DEFAULT_PROBE_TIMEOUT_MS),
    startPeriodMs: ms(health?.startPeriod, DEFAULT_START_PERIOD_MS),
    stopGraceMs: ms(spec.stopGrace, DEFAULT_STOP_GRACE_MS),
  };
}

/** The ports a start of `spec` would hold fixed (its own, or a probe's), whatever else runs. */
export function fixedPorts(spec: ProcessSpec): number[] {
  const ports = [spec.port, spec.health?.http?.port, spec.health?.tcp?.port];
  return ports.filter((p): p is number => typeof p === 'number');
}
