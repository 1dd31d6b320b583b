import type { ApiObject } from '../api/objects.js';
import {
  type ApiErrorAnswer,
  type ApiTarget,
  authHeaders,
  callApi,
  errorOf,
  listPath,
  watchPath,
} from './api-client.js';
import type { CliIo } from './cli-io.js';
import { SseParser } from './sse-parser.js';

/** One event of the watch, as the API sends it in each `data:`. */
export interface WatchEventJson {
  readonly type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  readonly resourceVersion: number;
  readonly object?: ApiObject;
  readonly error?: ApiErrorAnswer;
}

export interface FollowOptions {
  readonly target: ApiTarget;
  readonly io: CliIo;
  readonly kind?: string;
  readonly selector?: string;
  /** Start after this version; undefined: the objects there are now, as ADDED, then changes. */
  readonly from?: number;
  readonly onEvent: (event: WatchEventJson) => void;
  /** A line for stderr: a reconnection, a list taken again. */
  readonly note: (text: string) => void;
  /** Ends the watch: `follow` then resolves with `stopped`. */
  readonly signal: AbortSignal;
  /** Waits between reconnections: doubling from `baseMs` up to `capMs`. Default 250 ms to 5 s. */
  readonly backoff?: { readonly baseMs: number; readonly capMs: number };
  /** No byte for this long (the server bookmarks every 10 s): the connection is dead. Default 30 s. */
  readonly silenceMs?: number;
}

export type FollowEnd =
  | { readonly kind: 'stopped' }
  /** Nothing answered before the first connection: no instance there. */
  | { readonly kind: 'none'; readonly why: string }
  /** A refusal a reconnection would not change (a token, no API there). */
  | { readonly kind: 'refused'; readonly status: number; readonly error: ApiErrorAnswer };

type Connection =
  | { readonly kind: 'ended' }
  | { readonly kind: 'gone'; readonly message: string }
  | { readonly kind: 'failed'; readonly why: string }
  | { readonly kind: 'refused'; readonly status: number; readonly error: ApiErrorAnswer };

/**
 * Follow the watch until `signal` ends it. A connection that drops is opened again from the last
 * version seen (`Last-Event-ID`), after a short wait that doubles up to a cap; a version the
 * server no longer holds (410, or an ERROR event with code Gone) is answered by listing again
 * and watching from the list's version, so no change is missed. Every wait goes through
 * `io.clock`.
 */
export async function follow(options: FollowOptions): Promise<FollowEnd> {
  const { io, signal } = options;
  const backoff = options.backoff ?? { baseMs: 250, capMs: 5000 };
  let from = options.from;
  let connected = false;
  let delay = backoff.baseMs;
  let progressed = false;
  const known = new Map<string, ApiObject>();
  const deliver = (event: WatchEventJson) => {
    progressed = true;
    const object = event.object;
    if (object !== undefined) {
      const key = `${object.kind}/${object.name}`;
      // A stream started again without a version lists what was shown already: only news count.
      if (event.type === 'ADDED' && known.get(key)?.resourceVersion === object.resourceVersion) return;
      if (event.type === 'DELETED') known.delete(key);
      else known.set(key, object);
    }
    options.onEvent(event);
  };
  const delivering = { ...options, onEvent: deliver };
  const resumeFrom = (version: number) => {
    from = version;
  };
  let cut = false;
  const opened = () => {
    connected = true;
    if (cut) options.note(`watching again${from === undefined ? '' : ` from version ${from}`}`);
    cut = false;
  };
  while (!signal.aborted) {
    progressed = false;
    const connection = await connect(delivering, from, resumeFrom, opened);
    if (signal.aborted) break;
    if (connection.kind === 'refused') return connection;
    if (connection.kind === 'failed' && !connected) return { kind: 'none', why: connection.why };
    // A connection that carried events was a good one: the next wait starts short again.
    if (progressed) delay = backoff.baseMs;
    if (connection.kind === 'gone') {
      options.note(`${connection.message}; listing again`);
      const listed = await relist(delivering, known);
      if (listed.kind === 'refused') return listed;
      if (listed.kind === 'version') {
        from = listed.version;
        continue;
      }
    }
    const why = connection.kind === 'failed' ? `: ${connection.why}` : '';
    options.note(`the watch was cut${why}; connecting again in ${delay} ms`);
    cut = true;
    await sleep(io, delay, signal);
    delay = Math.min(delay * 2, backoff.capMs);
  }
  return { kind: 'stopped' };
}

/** One connection of the watch, read until it ends; `seen` learns each version to resume from. */
async function connect(
  options: FollowOptions,
  from: number | undefined,
  seen: (version: number) => void,
  opened: () => void,
): Promise<Connection> {
  const { io, target } = options;
  const controller = new AbortController();
  const stop = () => controller.abort();
  options.signal.addEventListener('abort', stop);
  const silence = options.silenceMs ?? 30_000;
  let silent = false;
  const quiet = () => {
    silent = true;
    controller.abort();
  };
  let timer = io.clock.setTimeout(quiet, silence);
  const alive = () => {
    io.clock.clearTimeout(timer);
    timer = io.clock.setTimeout(quiet, silence);
  };
  try {
    const headers: Record<string, string> = { accept: 'text/event-stream', ...authHeaders(target) };
    if (from !== undefined) headers['last-event-id'] = String(from);
    const response = await fetch(`${target.base}${watchPath(options.kind, options.selector)}`, {
      headers,
      signal: controller.signal,
    });
    if (response.status === 410) {
      return { kind: 'gone', message: errorOf(await response.text()).message };
    }
    if (!response.ok || response.body === null) {
      const error = errorOf(await response.text());
      // A server that is starting or overloaded may answer later; anything else will not change.
      if (response.status >= 500) return { kind: 'failed', why: `${response.status}: ${error.message}` };
      return { kind: 'refused', status: response.status, error };
    }
    opened();
    // Without a version the stream starts with the objects there are now, in no version order:
    // only the bookmark after them is a version to resume from.
    let listing = from === undefined;
    const parser = new SseParser();
    for await (const chunk of response.body) {
      alive();
      for (const sse of parser.push(chunk)) {
        const event = JSON.parse(sse.data) as WatchEventJson;
        if (event.type === 'ERROR') {
          const message = event.error?.message ?? 'the watch ended';
          return { kind: 'gone', message };
        }
        options.onEvent(event);
        if (event.type === 'BOOKMARK') listing = false;
        if (!listing) seen(event.resourceVersion);
      }
    }
    return { kind: 'ended' };
  } catch (error) {
    if (silent) return { kind: 'failed', why: `nothing came for ${silence} ms` };
    return { kind: 'failed', why: whyFailed(error) };
  } finally {
    io.clock.clearTimeout(timer);
    options.signal.removeEventListener('abort', stop);
    controller.abort();
  }
}

/**
 * List again, and hand on the difference from what was seen: new objects as ADDED, changed ones
 * as MODIFIED, vanished ones as DELETED (at the list's version); then the version to watch from.
 */
async function relist(
  options: FollowOptions,
  known: ReadonlyMap<string, ApiObject>,
): Promise<
  | { kind: 'version'; version: number }
  | { kind: 'failed' }
  | { kind: 'refused'; status: number; error: ApiErrorAnswer }
> {
  const answer = await callApi(options.target, options.io, 'GET', listPath(options.kind, options.selector));
  if (answer.kind === 'none') return { kind: 'failed' };
  if (answer.kind === 'refused') {
    if (answer.status >= 500) return { kind: 'failed' };
    return { kind: 'refused', status: answer.status, error: answer.error };
  }
  const list = answer.body as { resourceVersion: number; items: ApiObject[] };
  const listed = new Set<string>();
  for (const object of list.items) {
    const key = `${object.kind}/${object.name}`;
    listed.add(key);
    const last = known.get(key);
    if (last?.resourceVersion === object.resourceVersion) continue;
    const type = last === undefined ? 'ADDED' : 'MODIFIED';
    options.onEvent({ type, resourceVersion: object.resourceVersion, object });
  }
  for (const [key, object] of [...known]) {
    if (!listed.has(key)) options.onEvent({ type: 'DELETED', resourceVersion: list.resourceVersion, object });
  }
  return { kind: 'version', version: list.resourceVersion };
}

/** What undici's "fetch failed" or "terminated" was about, in words. */
function whyFailed(error: unknown): string {
  const code = (error as { cause?: { code?: unknown } }).cause?.code;
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'UND_ERR_SOCKET') return 'the connection closed';
  if (typeof code === 'string') return code;
  return error instanceof Error ? error.message : String(error);
}

function sleep(io: CliIo, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      io.clock.clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = io.clock.setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}
