import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, type ApiErrorBody, apiError } from './api-error.js';
import type { DesiredApi } from './desired-api.js';
import type { ApiObject } from './objects.js';
import { DEFAULT_MAX_BODY_BYTES, readJsonBody } from './read-body.js';
import { parseSelector } from './selector.js';
import { openStream, writeEvents } from './sse.js';
import type { WatchHub } from './watch-hub.js';

/** The path every route of the desired-state API starts with. */
export const API_PREFIX = '/api/v1';

export interface HttpApiOptions {
  readonly api: DesiredApi;
  readonly hub: WatchHub;
  /** The OpenAPI document, served at `/openapi.json`. */
  readonly openapi: () => Record<string, unknown>;
  /** Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Why writes are refused (403), when they are: no token set on a listener others can reach. */
  readonly writesRefused?: string;
}

const JSON_TYPE = 'application/json; charset=utf-8';
const MERGE_PATCH = 'application/merge-patch+json';

type Route = (req: IncomingMessage, res: ServerResponse, url: URL, key: string) => Promise<void>;

/**
 * The desired-state API over HTTP: a handler for the status server's listener (which checks
 * the bearer token first). Answers true when the path is the API's.
 *
 * | method and path | does |
 * |---|---|
 * | `GET /api/v1/resources?kind=&labelSelector=` | list: `{ resourceVersion, items }` |
 * | `POST /api/v1/resources` | create (201) |
 * | `GET /api/v1/resources/{kind}` | list one kind |
 * | `GET, PUT, PATCH, DELETE /api/v1/resources/{kind}/{name}` | read, replace (or create), merge patch, delete |
 * | `GET, PUT /api/v1/resources/{kind}/{name}/status` | the status subresource |
 * | `GET /api/v1/watch?resourceVersion=&kind=&labelSelector=` | changes as Server-Sent Events |
 * | `GET /openapi.json` | the OpenAPI 3.1 document |
 *
 * A name holding `/` is sent encoded (`%2F`). A write's expected version comes from
 * `If-Match` (`"12"`), else `?resourceVersion=`, else the body's `resourceVersion`.
 */
export function httpApi(options: HttpApiOptions) {
  const { api, hub } = options;
  const maxBody = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;

  const write = (req: IncomingMessage) => {
    if (options.writesRefused !== undefined) throw apiError('Forbidden', options.writesRefused);
    return req;
  };

  const one: Record<string, Route> = {
    GET: async (_req, res, _url, key) => sendObject(res, 200, await api.get(key)),
    PUT: async (req, res, url, key) => {
      const body = await readJsonBody(write(req), maxBody);
      const { object, created } = await api.replace(key, body, versionOf(req, url));
      sendObject(res, created ? 201 : 200, object);
    },
    PATCH: async (req, res, url, key) => {
      const body = await readJsonBody(write(req), maxBody, [MERGE_PATCH, 'application/json']);
      sendObject(res, 200, await api.patch(key, body, versionOf(req, url)));
    },
    DELETE: async (req, res, url, key) => {
      write(req);
      sendObject(res, 200, await api.remove(key, versionOf(req, url)));
    },
  };
  const status: Record<string, Route> = {
    GET: async (_req, res, _url, key) => sendObject(res, 200, await api.get(key)),
    PUT: async (req, res, url, key) => {
      const body = await readJsonBody(write(req), maxBody);
      sendObject(res, 200, await api.writeStatus(key, body, versionOf(req, url)));
    },
  };

  async function list(res: ServerResponse, url: URL, kind: string | undefined): Promise<void> {
    const labelSelector = url.searchParams.get('labelSelector') ?? undefined;
    const listed = await api.list({ kind: kind ?? url.searchParams.get('kind') ?? undefined, labelSelector });
    sendJson(res, 200, listed, { etag: `"${listed.resourceVersion}"` });
  }

  async function watch(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const text = url.searchParams.get('resourceVersion') ?? header(req, 'last-event-id');
    const from = text === undefined || text === '' ? undefined : wholeNumber(text, 'resourceVersion');
    const kind = url.searchParams.get('kind') ?? undefined;
    const selector = parseSelector(url.searchParams.get('labelSelector'));
    // Events wait until the stream is open (a 410 is an answer of its own, before it).
    let pending: Parameters<typeof writeEvents>[1][] = [];
    let open = false;
    const watching = await hub.watch({
      from: from === 0 ? undefined : from,
      filter: (o) => (kind === undefined || o.resource.kind === kind) && selector(o.labels),
      send: (events) => {
        if (!open) pending.push(events);
        else if (!writeEvents(res, events)) watching?.close();
      },
    });
    openStream(res);
    open = true;
    for (const events of pending) writeEvents(res, events);
    pending = [];
    res.on('close', () => watching.close());
  }

  return async function handle(req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> {
    const path = url.pathname;
    if (path === '/openapi.json') {
      if (req.method !== 'GET' && req.method !== 'HEAD') return methodNotAllowed(res, ['GET']);
      sendJson(res, 200, options.openapi());
      return true;
    }
    if (path !== API_PREFIX && !path.startsWith(`${API_PREFIX}/`)) return false;
    try {
      const parts = path
        .slice(API_PREFIX.length + 1)
        .split('/')
        .map(decodeSegment);
      const method = req.method ?? 'GET';
      const [top, kind, name, sub, ...rest] = parts;
      if (top === 'watch' && parts.length === 1) {
        if (method !== 'GET') return methodNotAllowed(res, ['GET']);
        await watch(req, res, url);
      } else if (top === 'resources' && kind === undefined) {
        if (method === 'GET' || method === 'HEAD') await list(res, url, undefined);
        else if (method === 'POST')
          sendObject(res, 201, await api.create(await readJsonBody(write(req), maxBody)));
        else return methodNotAllowed(res, ['GET', 'POST']);
      } else if (top === 'resources' && kind !== '' && kind !== undefined && name === undefined) {
        if (method !== 'GET' && method !== 'HEAD') return methodNotAllowed(res, ['GET']);
        await list(res, url, kind);
      } else if (
        top === 'resources' &&
        kind &&
        name &&
        rest.length === 0 &&
        (sub === undefined || sub === 'status')
      ) {
        const routes = sub === undefined ? one : status;
        const route = routes[method === 'HEAD' ? 'GET' : method];
        if (route === undefined) return methodNotAllowed(res, Object.keys(routes));
        await route(req, res, url, `${kind}/${name}`);
      } else {
        throw apiError(
          'NotFound',
          `no route ${method} ${path}: try ${API_PREFIX}/resources, ${API_PREFIX}/resources/{kind}/{name}, ${API_PREFIX}/watch or /openapi.json`,
        );
      }
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (res.headersSent) res.end();
      else sendError(res, error, req.complete ? undefined : 'close');
    }
    return true;
  };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw apiError('BadRequest', `the path segment ${JSON.stringify(segment)} is not valid percent-encoding`);
  }
}

/** The version a write expects: `If-Match`, else `?resourceVersion=`. */
function versionOf(req: IncomingMessage, url: URL): { resourceVersion?: number } {
  const match = header(req, 'if-match');
  if (match !== undefined) {
    return { resourceVersion: wholeNumber(match.replace(/^W\//, '').replace(/^"(.*)"$/, '$1'), 'If-Match') };
  }
  const query = url.searchParams.get('resourceVersion');
  return query === null ? {} : { resourceVersion: wholeNumber(query, 'resourceVersion') };
}

function wholeNumber(text: string, field: string): number {
  if (!/^\d{1,15}$/.test(text))
    throw apiError(
      'BadRequest',
      `${field} must be a resource version (a whole number), got ${JSON.stringify(text)}`,
      { field },
    );
  return Number(text);
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sendObject(res: ServerResponse, status: number, object: ApiObject): void {
  const headers: Record<string, string> = { etag: `"${object.resourceVersion}"` };
  if (status === 201) {
    headers.location = `${API_PREFIX}/resources/${encodeURIComponent(object.kind)}/${encodeURIComponent(object.name)}`;
  }
  sendJson(res, status, object, headers);
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    'content-type': JSON_TYPE,
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
    ...headers,
  });
  res.end(res.req.method === 'HEAD' ? undefined : text);
}

/** An `ApiError` as its JSON body; `close` ends the connection (a body left unread). */
export function sendError(
  res: ServerResponse,
  error: ApiError | (ApiErrorBody & { status: number }),
  connection?: 'close',
): void {
  const body = error instanceof ApiError ? error.body : error;
  const status = error.status;
  const headers: Record<string, string> = connection === undefined ? {} : { connection: 'close' };
  if (status === 401) headers['www-authenticate'] = 'Bearer realm="setpoint"';
  sendJson(res, status, body, headers);
}

function methodNotAllowed(res: ServerResponse, allowed: readonly string[]): true {
  sendJson(
    res,
    405,
    { code: 'MethodNotAllowed', message: `method not allowed here: use ${allowed.join(', ')}` },
    { allow: allowed.join(', ') },
  );
  return true;
}
