import { RetryableError, TimeoutError } from '../contract/errors.js';
import type { Observed, Provider, ProviderContext } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import { throwIfAborted } from './abortable.js';
import { errorForResponse } from './http-errors.js';
import { patchOf } from './http-patch.js';
import {
  checkNumber,
  checkString,
  isRecord,
  optionError,
  rejectUnknownKeys,
  secretOptionError,
} from './options.js';

/**
 * A generic JSON REST collection: one resource per object at `{baseUrl}/{name}`.
 *
 * ```ts
 * const users = httpProvider({ kind: 'user', baseUrl: 'http://127.0.0.1:8080/users', update: 'PATCH' });
 * ```
 *
 * | operation | request                                                            | success            |
 * |-----------|--------------------------------------------------------------------|--------------------|
 * | observe   | `GET {baseUrl}/{name}`                                             | 200 object; 404 → absent |
 * | list      | `GET {baseUrl}`: an array of objects with `idField`, or an object keyed by name | 200 |
 * | create    | `PUT {baseUrl}/{name}` (default) or `POST {baseUrl}`, body `{ ...spec, [idField]: name }` | 2xx |
 * | update    | `PUT {baseUrl}/{name}` (default, whole body) or `PATCH` (a JSON merge patch of what differs, see `http-patch.ts`) | 2xx |
 * | delete    | `DELETE {baseUrl}/{name}`                                          | 2xx; 404 = already gone |
 *
 * Errors follow `http-errors.ts`: 429 and 503 are retried no sooner than `Retry-After`, other
 * 5xx are retried, other 4xx are permanent, network errors are retried, and the own timeout
 * (`timeoutMs`, on the clock) rejects with a `TimeoutError`. A `POST` create answered with
 * 409 is retried: the object exists already (perhaps from an earlier attempt whose reply was
 * lost), and the next pass observes and updates it.
 *
 * Header values may be secrets: they never appear in errors or logs, and any echo of one in a
 * response body is redacted from error messages.
 */
export interface HttpProviderOptions {
  /** The collection's address, `http(s)://host/path`, without credentials, query or fragment. */
  readonly baseUrl: string;
  readonly kind: string;
  /** The field that holds an object's name. Default `'name'`. Never a difference. */
  readonly idField?: string;
  /** Sent with every request (e.g. `authorization`). Treated as secrets. */
  readonly headers?: Readonly<Record<string, string>>;
  /** Default `'PUT'`. */
  readonly create?: 'PUT' | 'POST';
  /** Default `'PUT'`. */
  readonly update?: 'PATCH' | 'PUT';
  /** Own per-request timeout on the clock, besides `ctx.signal`. Default: none. */
  readonly timeoutMs?: number;
  /** Paths of the spec the server never reports back as sent (e.g. a write-only `password`): never a difference. */
  readonly ignore?: readonly string[];
}

export interface HttpProvider extends Provider {
  list(ctx: ProviderContext): Promise<Map<string, Observed>>;
}

interface Reply {
  readonly status: number;
  readonly body: string;
}

const OPTIONS = ['baseUrl', 'kind', 'idField', 'headers', 'create', 'update', 'timeoutMs', 'ignore'];
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export function httpProvider(options: HttpProviderOptions): HttpProvider {
  if (!isRecord(options)) throw optionError('options', options, "an object like { kind: 'user', baseUrl }");
  rejectUnknownKeys(options, OPTIONS, 'options');
  const base = baseUrlOf(options.baseUrl);
  const kind = checkString(options.kind, 'options.kind', "'user'");
  const idField =
    options.idField === undefined ? 'name' : checkString(options.idField, 'options.idField', "'id'");
  const secrets = headersOf(options.headers);
  const createMethod = oneOf(options.create, ['PUT', 'POST'], 'options.create');
  const updateMethod = oneOf(options.update, ['PUT', 'PATCH'], 'options.update');
  const timeoutMs =
    options.timeoutMs === undefined
      ? undefined
      : checkNumber(options.timeoutMs, 'options.timeoutMs', 1, '10000');
  const ignore = ignoreOf(options.ignore);
  const headers = { accept: 'application/json', 'content-type': 'application/json', ...secrets };
  const redactions = Object.values(secrets).filter((value) => value.length >= 3);
  const itemUrl = (name: string): string => `${base}/${encodeURIComponent(name)}`;

  const redact = (error: Error): Error => {
    for (const value of redactions) {
      if (error.message.includes(value)) error.message = error.message.replaceAll(value, '[redacted]');
    }
    return error;
  };

  /** One request. A status in `answers` is returned like a success instead of thrown. */
  async function request(
    ctx: ProviderContext,
    method: string,
    url: string,
    body?: unknown,
    answers: readonly number[] = [],
  ): Promise<Reply> {
    throwIfAborted(ctx.signal);
    const own = timeoutMs === undefined ? undefined : new AbortController();
    const timer =
      own &&
      ctx.clock.setTimeout(() => own.abort(new TimeoutError(`${method} ${url}`, timeoutMs!)), timeoutMs!);
    const signal = own ? AbortSignal.any([ctx.signal, own.signal]) : ctx.signal;
    try {
      const response = await fetch(url, {
        method,
        headers,
        signal,
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const text = await response.text();
      ctx.log.debug({ method, url, status: response.status }, 'http request');
      if (response.ok || answers.includes(response.status)) return { status: response.status, body: text };
      const failed = { method, url, status: response.status, statusText: response.statusText, body: text };
      throw redact(
        errorForResponse({ ...failed, retryAfter: response.headers.get('retry-after') }, ctx.clock.now()),
      );
    } catch (error) {
      if (own?.signal.aborted) throw own.signal.reason;
      if (ctx.signal.aborted) throw ctx.signal.reason;
      if (error instanceof Error && 'kind' in error) throw error;
      throw redact(new RetryableError(`${method} ${url} failed: ${networkMessage(error)}`, { cause: error }));
    } finally {
      if (own) ctx.clock.clearTimeout(timer);
    }
  }

  const bodyOf = (desired: Resource): Record<string, unknown> => ({
    ...desired.spec,
    [idField]: desired.name,
  });

  const provider: HttpProvider = {
    kind,
    compare: { ignore: [idField, ...ignore] },

    async observe(ref, ctx) {
      const url = itemUrl(ref.name);
      const reply = await request(ctx, 'GET', url, undefined, [404]);
      if (reply.status === 404) return undefined;
      const body = parseJson(reply.body);
      if (!isRecord(body)) {
        throw new Error(`GET ${url} -> ${reply.status}: expected a JSON object, got ${shape(body)}`);
      }
      return body;
    },
    async create(desired, ctx) {
      if (createMethod === 'PUT') {
        return objectOrUndefined((await request(ctx, 'PUT', itemUrl(desired.name), bodyOf(desired))).body);
      }
      const reply = await request(ctx, 'POST', base, bodyOf(desired), [409]);
      if (reply.status === 409) {
        throw new RetryableError(
          `POST ${base} -> 409: \`${desired.name}\` already exists; the next pass observes it and updates it`,
        );
      }
      return objectOrUndefined(reply.body);
    },
    async update(desired, current, _changes, ctx) {
      const url = itemUrl(desired.name);
      if (updateMethod === 'PUT') {
        return objectOrUndefined((await request(ctx, 'PUT', url, bodyOf(desired))).body);
      }
      const patch = patchOf(desired.spec, current);
      if (Object.keys(patch).length === 0) return current;
      return objectOrUndefined((await request(ctx, 'PATCH', url, patch)).body);
    },
    async delete(_current, ref, ctx) {
      await request(ctx, 'DELETE', itemUrl(ref.name), undefined, [404]);
    },
    async list(ctx) {
      const reply = await request(ctx, 'GET', base);
      return listOf(parseJson(reply.body), idField, `GET ${base}`);
    },
  };
  return provider;
}

function listOf(body: unknown, idField: string, what: string): Map<string, Observed> {
  const found = new Map<string, Observed>();
  if (Array.isArray(body)) {
    body.forEach((item: unknown, i) => {
      const id = isRecord(item) ? item[idField] : undefined;
      if (!isRecord(item) || (typeof id !== 'string' && typeof id !== 'number')) {
        throw new Error(
          `${what}: item ${i} is not an object with a string \`${idField}\`, got ${shape(item)}`,
        );
      }
      found.set(String(id), item);
    });
    return found;
  }
  if (!isRecord(body))
    throw new Error(`${what}: expected a JSON array or an object keyed by name, got ${shape(body)}`);
  for (const [name, item] of Object.entries(body)) {
    if (!isRecord(item)) throw new Error(`${what}: \`${name}\` is not an object, got ${shape(item)}`);
    found.set(name, item);
  }
  return found;
}

function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function objectOrUndefined(text: string): Observed | undefined {
  const body = parseJson(text);
  return isRecord(body) ? body : undefined;
}

function shape(value: unknown): string {
  if (value === undefined) return 'an empty body';
  if (typeof value === 'string') return 'text that is not JSON';
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
}

function networkMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}

function baseUrlOf(value: unknown): string {
  const expected = "an http(s) address of a collection, like 'http://127.0.0.1:8080/users'";
  if (typeof value !== 'string' || !URL.canParse(value))
    throw optionError('options.baseUrl', value, expected);
  const url = new URL(value);
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw optionError('options.baseUrl', value, expected);
  if (url.username || url.password || url.search || url.hash) {
    throw new TypeError(
      `Expected \`options.baseUrl\` to be an address without credentials, query or fragment, got \`${url.origin}${url.pathname}\` with them (not shown): put tokens in \`options.headers\``,
    );
  }
  return `${url.origin}${url.pathname}`.replace(/\/+$/, '');
}

function headersOf(value: unknown): Record<string, string> {
  if (value === undefined) return {};
  if (!isRecord(value))
    throw secretOptionError('options.headers', value, "an object like { authorization: 'Bearer …' }");
  for (const [name, header] of Object.entries(value)) {
    if (!TOKEN.test(name))
      throw optionError('options.headers', name, 'an object whose keys are header names');
    if (typeof header !== 'string' || /[\r\n\0]/.test(header)) {
      throw secretOptionError(`options.headers.${name}`, header, 'a string without line breaks');
    }
  }
  return value as Record<string, string>;
}

function oneOf<T extends string>(value: unknown, allowed: readonly T[], option: string): T {
  if (value === undefined) return allowed[0]!;
  if (!allowed.includes(value as T))
    throw optionError(option, value, allowed.map((m) => `'${m}'`).join(' or '));
  return value as T;
}

function ignoreOf(value: unknown): string[] {
  if (value === undefined) return [];
  if (!Array.isArray(value) || !value.every((path) => typeof path === 'string' && path.length > 0)) {
    throw optionError('options.ignore', value, "an array of paths the server sets, like ['id', 'createdAt']");
  }
  return value as string[];
}
