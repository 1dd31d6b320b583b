import { access } from 'node:fs/promises';
import { relative, resolve } from 'node:path';
import { escapeControl } from '../config/format-issues.js';
import { redact } from '../contract/redact.js';
import type { CliIo } from './cli-io.js';
import { baseUrl } from './commands/status.js';
import type { ClientArgs, CommonArgs } from './parse-args.js';
import { statusConfigFor } from './status-config.js';

/** Where `--server` is read from when the command line does not give it. */
export const SERVER_VARIABLE = 'SETPOINT_SERVER';
/** The bearer token, over the config's `server.token`. */
export const TOKEN_VARIABLE = 'SETPOINT_TOKEN';

const API_PATH = '/api/v1';
/** How long one request may take before the instance counts as not answering. */
const REQUEST_TIMEOUT_MS = 10_000;

/** A running instance's desired-state API, as a command reaches it. */
export interface ApiTarget {
  /** `http://127.0.0.1:9464`, without a trailing slash. */
  readonly base: string;
  readonly token: string | undefined;
  /** Where the token came from, to say so when it is refused (never the token itself). */
  readonly tokenFrom: string | undefined;
  /** Never printed: the token, and the secrets a config or file reference held. */
  readonly secrets: string[];
}

/** One refusal of the API, in its error shape (or the text an older server answered with). */
export interface ApiErrorAnswer {
  readonly code?: string;
  readonly message: string;
  readonly problems?: readonly { readonly field: string; readonly message: string }[];
  readonly resourceVersion?: number;
}

export type ApiAnswer =
  | { readonly kind: 'ok'; readonly status: number; readonly body: unknown }
  | { readonly kind: 'refused'; readonly status: number; readonly error: ApiErrorAnswer }
  | { readonly kind: 'none'; readonly why: string };

/**
 * Where to reach the API: `--server`, else `$SETPOINT_SERVER`, else the config's
 * `server.listen`; the token from `$SETPOINT_TOKEN`, else the config's `server.token`. The
 * config is read only when one of them is still missing, and its absence is fine once a server
 * is named. `undefined` after a problem was written to stderr.
 */
export async function apiTargetFor(args: CommonArgs & ClientArgs, io: CliIo): Promise<ApiTarget | undefined> {
  const named = args.server ?? nonEmpty(io.env[SERVER_VARIABLE]);
  if (named !== undefined && !/^https?:\/\/[^/]/.test(named)) {
    io.stderr.write(`setpoint: ${SERVER_VARIABLE} "${named}" is not an http:// or https:// URL\n`);
    return undefined;
  }
  const envToken = nonEmpty(io.env[TOKEN_VARIABLE]);
  const file = resolve(io.cwd, args.config);
  const present = await exists(file);
  if (named === undefined && !present) {
    const shown = relative(io.cwd, file) || file;
    io.stderr.write(
      `setpoint: no config file ${shown} to find the instance in: give --server URL (or set ${SERVER_VARIABLE}), or -c with the config\n`,
    );
    return undefined;
  }
  const needConfig = named === undefined || (envToken === undefined && present);
  const config = needConfig ? await statusConfigFor(args.config, io) : undefined;
  if (needConfig && config === undefined) return undefined;
  const base = named?.replace(/\/+$/, '') ?? baseUrl(config as NonNullable<typeof config>);
  const token = envToken ?? config?.server.token;
  const tokenFrom =
    envToken !== undefined
      ? TOKEN_VARIABLE
      : token !== undefined
        ? `server.token in ${relative(io.cwd, file) || file}`
        : undefined;
  const secrets = [...(config?.secrets ?? []), ...(token === undefined ? [] : [token])];
  return { base, token, tokenFrom, secrets };
}

/** The API path of one resource: `files/site/index.html` → `/api/v1/resources/files/site%2Findex.html`. */
export function resourcePath(kind: string, name?: string): string {
  const path = `${API_PATH}/resources/${encodeURIComponent(kind)}`;
  return name === undefined ? path : `${path}/${encodeURIComponent(name)}`;
}

export const listPath = (kind: string | undefined, selector: string | undefined): string => {
  const query = new URLSearchParams();
  if (selector !== undefined) query.set('labelSelector', selector);
  const tail = query.size > 0 ? `?${query}` : '';
  return `${kind === undefined ? `${API_PATH}/resources` : resourcePath(kind)}${tail}`;
};

export const watchPath = (kind: string | undefined, selector: string | undefined): string => {
  const query = new URLSearchParams();
  if (kind !== undefined) query.set('kind', kind);
  if (selector !== undefined) query.set('labelSelector', selector);
  return `${API_PATH}/watch${query.size > 0 ? `?${query}` : ''}`;
};

/** The headers every request sends: the token, when there is one. */
export function authHeaders(target: ApiTarget): Record<string, string> {
  return target.token === undefined ? {} : { authorization: `Bearer ${target.token}` };
}

/** One request to the API, with a deadline; never throws. */
export async function callApi(
  target: ApiTarget,
  io: CliIo,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<ApiAnswer> {
  const controller = new AbortController();
  const timer = io.clock.setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
  try {
    const headers: Record<string, string> = { accept: 'application/json', ...authHeaders(target) };
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`${target.base}${path}`, {
      method,
      signal: controller.signal,
      headers: { ...headers, ...options.headers },
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await response.text();
    if (response.ok) return { kind: 'ok', status: response.status, body: JSON.parse(text) };
    return { kind: 'refused', status: response.status, error: errorOf(text) };
  } catch (error) {
    return { kind: 'none', why: error instanceof Error ? error.message : String(error) };
  } finally {
    io.clock.clearTimeout(timer);
  }
}

/** A refusal's body: the API's error JSON, or the plain text an instance without the API sent. */
export function errorOf(text: string): ApiErrorAnswer {
  try {
    const body = JSON.parse(text) as ApiErrorAnswer;
    if (typeof body === 'object' && body !== null && typeof body.message === 'string') return body;
  } catch {
    // Not JSON: the text is the message.
  }
  return { message: text.trim() };
}

/** Nothing answered at all: the one line every client command prints for it. */
export function nothingAnswered(target: ApiTarget, io: CliIo): void {
  io.stderr.write(`setpoint: nothing answered at ${target.base}: is setpoint run running there?\n`);
}

/**
 * A refusal that is not about one resource (401, 403, a server without the API, …) as a line on
 * stderr; a 401 says where the token came from, or that none was sent.
 */
export function reportRefusal(target: ApiTarget, io: CliIo, status: number, error: ApiErrorAnswer): void {
  if (status === 401) {
    const why =
      target.tokenFrom === undefined
        ? `no token was sent: set ${TOKEN_VARIABLE}, or server.token in the config`
        : `the token from ${target.tokenFrom} is not the one it expects`;
    io.stderr.write(`setpoint: ${target.base} refused the request (401): ${why}\n`);
    return;
  }
  const lines = [`${target.base} answered ${status}: ${error.message}`];
  for (const p of error.problems ?? []) lines.push(`  ${p.field || '(document)'}: ${p.message}`);
  io.stderr.write(`setpoint: ${redact(lines.map(escapeControl).join('\n'), target.secrets)}\n`);
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
