import { PermanentError, RetryableError } from '../contract/errors.js';

/**
 * What an HTTP response means for the reconcile loop. Pure: the clock's `now` comes in.
 *
 * | response                         | error                                                    |
 * |----------------------------------|----------------------------------------------------------|
 * | 429, 503                         | `RetryableError`, `retryAfterMs` from `Retry-After`      |
 * | other 5xx, 408                   | `RetryableError` (with `retryAfterMs` if the header is there) |
 * | 404 where absence is not success | `RetryableError`: the next pass observes again           |
 * | other 4xx                        | `PermanentError` with the status and the body's message  |
 * | anything else unexpected         | a plain `Error`, retried                                 |
 */

/**
 * `Retry-After` in ms: delay-seconds (`"120"`) or an HTTP date, counted from `now`.
 * `undefined` when absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The message a response body carries: `message` or `error` of a JSON body, or its first line. */
export function bodyMessage(text: string): string {
  let message = '';
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body === 'object' && body !== null) {
      const record = body as Record<string, unknown>;
      const nested = record.error;
      if (typeof record.message === 'string') message = record.message;
      else if (typeof nested === 'string') message = nested;
      else if (
        typeof nested === 'object' &&
        nested !== null &&
        typeof (nested as { message?: unknown }).message === 'string'
      ) {
        message = (nested as { message: string }).message;
      }
    } else if (typeof body === 'string') {
      message = body;
    }
  } catch {
    message = text;
  }
  const line = message.trim().split('\n', 1)[0] ?? '';
  return line.length > 200 ? `${line.slice(0, 197)}...` : line;
}

export interface FailedResponse {
  readonly method: string;
  /** The request's address, safe to show (no credentials, no query). */
  readonly url: string;
  readonly status: number;
  readonly statusText: string;
  readonly body: string;
  readonly retryAfter: string | null;
}

/** The error for a response that is not a success, per the table above. */
export function errorForResponse(response: FailedResponse, now: number): Error {
  const { method, url, status, statusText } = response;
  const said = bodyMessage(response.body);
  const message = `${method} ${url} -> ${status}${statusText ? ` ${statusText}` : ''}${said ? `: ${said}` : ''}`;
  const retryAfterMs = parseRetryAfter(response.retryAfter, now);
  if (status >= 500 || status === 429 || status === 408 || status === 404) {
    return new RetryableError(message, { retryAfterMs });
  }
  if (status >= 400) return new PermanentError(message);
  return new Error(`${message} (unexpected status)`);
}
