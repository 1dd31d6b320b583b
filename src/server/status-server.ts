import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { apiError } from '../api/api-error.js';
import { type HttpApiOptions, httpApi, sendError } from '../api/http-api.js';
import { bearerMatches } from '../contract/bearer.js';
import type { Runtime } from '../runtime/index.js';
import { type Clock, systemClock } from '../time/clock.js';
import { type DashboardOptions, dashboardRoutes } from './dashboard/routes.js';
import { firstPassDone } from './readiness.js';
import { redactedJson, redactJsonText } from './redact-json.js';
import { send, TEXT_TYPE, unauthorized } from './respond.js';

export interface StatusServerOptions {
  readonly runtime: Pick<
    Runtime,
    'status' | 'tree' | 'metrics' | 'state' | 'heldDeletions' | 'approveDeletions' | 'on' | 'reconcile'
  >;
  /** Default `127.0.0.1`: only this machine can ask. */
  readonly host?: string;
  /** Default 9464; 0 picks a free port (read it back from `port`). */
  readonly port?: number;
  /** When set, every endpoint but `/healthz` requires `Authorization: Bearer <token>`. */
  readonly token?: string;
  /** Values hidden from `/status` wherever they appear (the config's secrets). */
  readonly secrets?: readonly string[] | (() => readonly string[]);
  /** `/readyz` answers 200 when this is true. Default: every resource has had its first pass. */
  readonly ready?: () => boolean;
  /** More fields for the `/status` body (e.g. the last reload). */
  readonly details?: () => Record<string, unknown>;
  /**
   * Serve the desired-state API (`/api/v1/…`, `/openapi.json`) too, behind the same token.
   * Without a token, its writes are refused (403) unless the listener is on loopback.
   */
  readonly api?: Omit<HttpApiOptions, 'writesRefused'>;
  /**
   * `POST /sources/sync`: fetch the Git sources now (a push hook calls it); answers what each
   * did. Needs the token when one is set; without one, only on loopback.
   */
  readonly syncSources?: () => Promise<unknown>;
  /**
   * The live dashboard at `/` (default: served, its reads open; see `DashboardOptions`), or
   * `false` for none.
   */
  readonly dashboard?: DashboardOptions | false;
  /** Times the dashboard's updates. Default: the system clock. */
  readonly clock?: Clock;
}

export interface StatusServer {
  /** `http://host:port`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Stop listening and end open connections. */
  close(): Promise<void>;
}

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The HTTP face of a running runtime, on `node:http` alone:
 *
 * | path       | answers |
 * |------------|---------|
 * | `/healthz` | 200 while the process is alive (never needs the token: for liveness probes) |
 * | `/readyz`  | 200 once the desired set is loaded and every resource has had its first pass, else 503 |
 * | `/metrics` | the runtime's Prometheus registry, as text, with prom-client's content type |
 * | `/status`  | JSON: `ready`, every resource's status (phase, conditions, plan, …), the deletes held by the deletion budget and the supervision tree, secrets redacted |
 * | `POST /deletions/approve` | let held deletes go ahead: body `{"keys": [...]}`, or none for all; needs the token (403 when none is set) |
 * | `POST /sources/sync` | fetch the Git sources now and answer what each did; needs the token, or (with none set) a loopback listener |
 * | `/` | the live dashboard: a page, its feed (`/dashboard/feed`) and its actions (see `dashboard/protocol.ts`) |
 *
 * ```ts
 * const server = await createStatusServer({ runtime, port: 9464, token: process.env.TOKEN });
 * console.log(`status on ${server.url}/status`);
 * await server.close();
 * ```
 *
 * Only `GET` and `HEAD` are allowed, but for the `POST`s. Resolves once listening; rejects if the address is taken.
 */
export async function createStatusServer(options: StatusServerOptions): Promise<StatusServer> {
  const { runtime, token } = options;
  const host = options.host ?? '127.0.0.1';
  const port = options.port ?? 9464;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    throw new TypeError(`Expected \`port\` to be a whole number from 0 to 65535, got \`${String(port)}\``);
  }
  if (token !== undefined && (typeof token !== 'string' || token === '')) {
    throw new TypeError('Expected `token` to be a non-empty string, or undefined for no token');
  }
  const secrets = () => {
    const list = typeof options.secrets === 'function' ? options.secrets() : (options.secrets ?? []);
    return token === undefined ? list : [...list, token];
  };
  const checkReady = options.ready ?? (() => runtime.status().every((s) => firstPassDone(s)));
  // A runtime whose root supervisor gave up reconciles nothing: never ready, whatever it last saw.
  const ready = () => runtime.state === 'running' && checkReady();

  const routes: Record<string, (res: ServerResponse) => Promise<void> | void> = {
    '/healthz': (res) => send(res, 200, TEXT_TYPE, 'ok\n'),
    '/readyz': (res) =>
      ready() ? send(res, 200, TEXT_TYPE, 'ready\n') : send(res, 503, TEXT_TYPE, 'not ready\n'),
    '/metrics': async (res) => {
      const registry = runtime.metrics.registry;
      send(res, 200, registry.contentType, await registry.metrics());
    },
    '/status': (res) => {
      const body = {
        ready: ready(),
        state: runtime.state,
        ...options.details?.(),
        resources: runtime.status(),
        heldDeletions: runtime.heldDeletions(),
        tree: runtime.tree() ?? null,
      };
      send(res, 200, JSON_TYPE, `${redactedJson(body, secrets(), 2)}\n`);
    },
  };

  const posts: Record<string, (req: IncomingMessage, res: ServerResponse) => Promise<void>> = {
    '/deletions/approve': async (req, res) => {
      const keys = keysOf(await readBody(req));
      if (keys instanceof Error) return send(res, 400, TEXT_TYPE, `${keys.message}\n`);
      const approved = runtime.approveDeletions(keys);
      const body = { approved, heldDeletions: runtime.heldDeletions() };
      send(res, 200, JSON_TYPE, `${redactedJson(body, secrets(), 2)}\n`);
    },
  };

  const sync = options.syncSources;
  if (sync !== undefined) {
    posts['/sources/sync'] = async (_req, res) => {
      const body = { sources: await sync() };
      send(res, 200, JSON_TYPE, `${redactedJson(body, secrets(), 2)}\n`);
    };
  }

  const apiHandle =
    options.api &&
    httpApi({
      ...options.api,
      ...(token === undefined && !isLoopback(host)
        ? { writesRefused: `forbidden: set server.token to change the desired state over HTTP on ${host}` }
        : {}),
    });

  const dashboard =
    options.dashboard === false
      ? undefined
      : dashboardRoutes(options.dashboard ?? {}, {
          runtime,
          clock: options.clock ?? systemClock,
          ready,
          ...(options.details !== undefined ? { details: options.details } : {}),
          secrets,
          tokenSet: token !== undefined,
          actionsOpen: token === undefined && isLoopback(host),
        });
  const authorized = (req: IncomingMessage) => () =>
    token === undefined || bearerMatches(req.headers.authorization, token);

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent) send(res, 500, TEXT_TYPE, `${redactJsonText(message, secrets())}\n`);
      else res.destroy();
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    if (apiHandle && (path.startsWith('/api/') || path === '/openapi.json')) {
      if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
        return sendError(
          res,
          apiError('Unauthorized', 'unauthorized: send Authorization: Bearer <server.token>'),
          'close',
        );
      }
      if (await apiHandle(req, res, url)) return;
    }
    if (dashboard && (await dashboard.handle(req, res, url, authorized(req)))) return;
    const post = Object.hasOwn(posts, path) ? posts[path] : undefined;
    if (post !== undefined) {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        return send(res, 405, TEXT_TYPE, 'method not allowed: POST\n');
      }
      if (token === undefined && !(path === '/sources/sync' && isLoopback(host))) {
        return send(res, 403, TEXT_TYPE, `forbidden: set server.token to use ${path} over HTTP\n`);
      }
      if (token !== undefined && !bearerMatches(req.headers.authorization, token)) {
        return unauthorized(res);
      }
      return post(req, res);
    }
    const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
    if (route === undefined)
      return send(
        res,
        404,
        TEXT_TYPE,
        `not found: try ${dashboard ? '/ (the dashboard), ' : ''}/healthz, /readyz, /metrics, /status${apiHandle ? ', /api/v1/resources, /openapi.json' : ''}\n`,
      );
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('allow', 'GET, HEAD');
      return send(res, 405, TEXT_TYPE, 'method not allowed\n');
    }
    if (token !== undefined && path !== '/healthz' && !bearerMatches(req.headers.authorization, token)) {
      return unauthorized(res);
    }
    await route(res);
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const shown = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${shown}:${address.port}`,
    host: address.address,
    port: address.port,
    close: () =>
      new Promise<void>((resolve) => {
        dashboard?.close();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

const MAX_BODY_BYTES = 64 * 1024;

/** The request's body as text, refusing more than `MAX_BODY_BYTES`. */
async function readBody(req: IncomingMessage): Promise<string | Error> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return new Error(`the body is larger than ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The keys an approval names: none (all held deletes), or `{"keys": ["kind/name", …]}`. */
function keysOf(body: string | Error): readonly string[] | undefined | Error {
  if (body instanceof Error || body.trim() === '') return body instanceof Error ? body : undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return new Error('the body is not JSON: send {"keys": ["kind/name"]}, or nothing to approve all');
  }
  const keys = (parsed as { keys?: unknown } | null)?.keys;
  if (keys === undefined) return undefined;
  if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string')) {
    return new Error('"keys" must be a list of resource keys like "files/motd"');
  }
  return keys;
}
