import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError } from '../../api/api-error.js';
import { readJsonBody } from '../../api/read-body.js';
import { redact } from '../../contract/redact.js';
import type { Runtime } from '../../runtime/index.js';
import type { Clock } from '../../time/clock.js';
import { redactedJson } from '../redact-json.js';
import { send as respond, TEXT_TYPE, unauthorized } from '../respond.js';
import { type Asset, dashboardAssets } from './assets.js';
import { DashboardFeed } from './feed.js';
import type { ActionAnswer, GroupSummary } from './protocol.js';
import { detailOf } from './rows.js';
import { Timeline } from './timeline.js';

/** How the status server serves the dashboard. */
export interface DashboardOptions {
  /**
   * Who may look when the server has a token: `open` (default) shows the page and its live
   * feed to anyone who can reach the listener, secrets hidden as in `/status`; `token` asks for
   * the token first. Acting (reconcile now, approve deletions) always needs the token.
   */
  readonly reads?: 'open' | 'token';
  /** The group as the database holds it, for the page's members and shards (PostgreSQL store). */
  readonly group?: () => Promise<GroupSummary | undefined>;
  /**
   * The resources' recent events, recorded since the runtime started (`new Timeline(runtime)`
   * before `runtime.start()`). Default: recorded from when the server starts.
   */
  readonly timeline?: Timeline;
}

export interface DashboardContext {
  readonly runtime: Pick<Runtime, 'status' | 'tree' | 'heldDeletions' | 'on' | 'state' | 'reconcile'>;
  readonly clock: Clock;
  readonly ready: () => boolean;
  readonly details?: () => Record<string, unknown>;
  readonly secrets: () => readonly string[];
  readonly tokenSet: boolean;
  /** Actions are taken without a token (none is set, and the listener is on loopback). */
  readonly actionsOpen: boolean;
}

/** The page may load only what its own origin serves, and nothing may frame it. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

const JSON_TYPE = 'application/json; charset=utf-8';

/**
 * The dashboard's requests: the page, its feed, a resource's details and "reconcile now".
 * `handle` answers the requests that are its own and returns false for the rest.
 */
export function dashboardRoutes(options: DashboardOptions, ctx: DashboardContext) {
  const { runtime } = ctx;
  const timeline = options.timeline ?? new Timeline(runtime);
  const feed = new DashboardFeed({
    runtime,
    clock: ctx.clock,
    ready: ctx.ready,
    ...(ctx.details !== undefined ? { details: ctx.details } : {}),
    ...(options.group !== undefined ? { group: options.group } : {}),
    secrets: ctx.secrets,
    access: { actionsOpen: ctx.actionsOpen, tokenSet: ctx.tokenSet },
    last: (key) => timeline.last(key),
  });
  const readsNeedToken = ctx.tokenSet && options.reads === 'token';
  const hide = (text: string) => redact(text, ctx.secrets());

  const pages: Record<string, (assets: { html: Asset; js: Asset; css: Asset }) => Asset> = {
    '/': (a) => a.html,
    '/index.html': (a) => a.html,
    '/assets/app.js': (a) => a.js,
    '/assets/app.css': (a) => a.css,
  };

  async function handle(
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    authorized: () => boolean,
  ): Promise<boolean> {
    const path = url.pathname;
    const page = Object.hasOwn(pages, path) ? pages[path] : undefined;
    if (page !== undefined) {
      if (!isRead(req, res)) return true;
      const assets = await dashboardAssets();
      if (assets instanceof Error) {
        send(res, 503, TEXT_TYPE, `${assets.message}\n`);
        return true;
      }
      serveAsset(req, res, page(assets));
      return true;
    }
    if (path === '/dashboard/feed' || path === '/dashboard/resource') {
      if (!isRead(req, res)) return true;
      if (readsNeedToken && !authorized()) {
        unauthorized(res, PAGE_HEADERS);
        return true;
      }
      if (path === '/dashboard/feed') feed.attach(res);
      else resource(url.searchParams.get('key') ?? '', res);
      return true;
    }
    if (path === '/dashboard/reconcile') {
      await reconcileNow(req, res, authorized);
      return true;
    }
    return false;
  }

  function resource(key: string, res: ServerResponse): void {
    const status = runtime.status(key);
    if (status === undefined) {
      send(res, 404, JSON_TYPE, JSON.stringify({ ok: false, message: `no resource ${key}` }));
      return;
    }
    const held = runtime.heldDeletions().find((h) => h.key === key);
    const detail = detailOf(status, held, timeline.of(key, hide), ctx.clock.now(), hide);
    send(res, 200, JSON_TYPE, redactedJson(detail, ctx.secrets()));
  }

  async function reconcileNow(req: IncomingMessage, res: ServerResponse, authorized: () => boolean) {
    const answer = (status: number, ok: boolean, message: string) =>
      send(res, status, JSON_TYPE, JSON.stringify({ ok, message } satisfies ActionAnswer));
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return answer(405, false, 'method not allowed: POST');
    }
    if (ctx.tokenSet && !authorized()) {
      res.setHeader('www-authenticate', 'Bearer realm="setpoint"');
      return answer(401, false, 'unauthorized: enter the token (server.token) to act');
    }
    if (!ctx.tokenSet && !ctx.actionsOpen) {
      return answer(403, false, 'forbidden: set server.token to act from the dashboard on this address');
    }
    // JSON only (415 otherwise): a form on another site cannot send it without asking first
    // (a CORS preflight, which this server never answers).
    let body: unknown;
    try {
      body = await readJsonBody(req, MAX_ACTION_BODY);
    } catch (error) {
      if (error instanceof ApiError) return answer(error.status, false, error.message);
      throw error;
    }
    const key = (body as { key?: unknown } | null)?.key;
    if (typeof key !== 'string' || key === '') {
      return answer(400, false, 'the body must be {"key": "kind/name"}');
    }
    if (!runtime.reconcile(key)) return answer(404, false, `no resource ${key}`);
    answer(200, true, `${key}: reconciling now`);
  }

  return {
    handle,
    /** Pages watching the feed now. */
    pages: () => feed.pages,
    close(): void {
      feed.close();
      if (options.timeline === undefined) timeline.close();
    },
  };
}

function isRead(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method === 'GET' || req.method === 'HEAD') return true;
  res.setHeader('allow', 'GET, HEAD');
  send(res, 405, TEXT_TYPE, 'method not allowed\n');
  return false;
}

function serveAsset(req: IncomingMessage, res: ServerResponse, asset: Asset): void {
  const headers = { ...PAGE_HEADERS, etag: asset.etag, 'cache-control': 'no-cache' };
  if (req.headers['if-none-match'] === asset.etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  res.writeHead(200, { ...headers, 'content-type': asset.type, 'content-length': asset.body.length });
  res.end(req.method === 'HEAD' ? undefined : asset.body);
}

/** An answer of the dashboard's, under the page's headers. */
function send(res: ServerResponse, status: number, type: string, body: string): void {
  respond(res, status, type, body, PAGE_HEADERS);
}

/** A body that names one key is far smaller. */
const MAX_ACTION_BODY = 4096;
