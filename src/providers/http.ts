import { RetryableError } from '../contract/errors.js';
import type { Observed, Provider, ProviderContext } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import { listOf, objectOrUndefined, parseJson, shape } from './http-body.js';
import { type HttpProviderOptions, resolveHttpOptions } from './http-options.js';
import { patchOf } from './http-patch.js';
import { httpRequester } from './http-request.js';
import { isRecord } from './options.js';

export type { HttpProviderOptions } from './http-options.js';

export interface HttpProvider extends Provider {
  list(ctx: ProviderContext): Promise<Map<string, Observed>>;
}

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
 * | update    | `PUT {baseUrl}/{name}` (default, whole body: a field the spec dropped is left out) or `PATCH` (a JSON merge patch of what differs, a dropped field as `null`, see `http-patch.ts`) | 2xx |
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
export function httpProvider(options: HttpProviderOptions): HttpProvider {
  const { base, kind, idField, headers, create, update, timeoutMs, ignore } = resolveHttpOptions(options);
  const request = httpRequester({ headers, timeoutMs });
  const itemUrl = (name: string): string => `${base}/${encodeURIComponent(name)}`;
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
      if (create === 'PUT') {
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
    async update(desired, current, changes, ctx) {
      const url = itemUrl(desired.name);
      if (update === 'PUT') {
        return objectOrUndefined((await request(ctx, 'PUT', url, bodyOf(desired))).body);
      }
      const patch = patchOf(desired.spec, current, changes);
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
