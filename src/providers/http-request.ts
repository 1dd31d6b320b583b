import { RetryableError, TimeoutError } from '../contract/errors.js';
import type { ProviderContext } from '../contract/provider.js';
import { throwIfAborted } from './abortable.js';
import { errorForResponse } from './http-errors.js';

/** A response the caller asked for: a success, or a status it named as an answer. */
export interface HttpReply {
  readonly status: number;
  readonly body: string;
  /** The `Location` header, when the server sent one (where a created object lives). */
  readonly location?: string;
}

/** One JSON request. A status in `answers` is returned like a success instead of thrown. */
export type HttpRequest = (
  ctx: ProviderContext,
  method: string,
  url: string,
  body?: unknown,
  answers?: readonly number[],
) => Promise<HttpReply>;

export interface HttpRequestOptions {
  /** Sent with every request, besides the JSON ones; the values are secrets. */
  readonly headers: Readonly<Record<string, string>>;
  /** Own per-request timeout on `ctx.clock`; `undefined`: only `ctx.signal` ends a request. */
  readonly timeoutMs: number | undefined;
}

/**
 * How the http provider talks to its server: JSON in and out, the request ended by
 * `ctx.signal` or the own timeout (a `TimeoutError`), a failed response turned into the error
 * `http-errors.ts` says, and a network failure retried. Any header value (of 3 characters or
 * more) that a server echoes into an error message is redacted from it.
 */
export function httpRequester({ headers: secrets, timeoutMs }: HttpRequestOptions): HttpRequest {
  const headers = { accept: 'application/json', 'content-type': 'application/json', ...secrets };
  const redactions = Object.values(secrets).filter((value) => value.length >= 3);
  const redact = (error: Error): Error => {
    for (const value of redactions) {
      if (error.message.includes(value)) error.message = error.message.replaceAll(value, '[redacted]');
    }
    return error;
  };

  return async (ctx, method, url, body, answers = []) => {
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
      if (response.ok || answers.includes(response.status)) {
        const location = response.headers.get('location');
        return { status: response.status, body: text, ...(location ? { location } : {}) };
      }
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
  };
}

function networkMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}
