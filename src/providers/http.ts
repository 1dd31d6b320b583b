import { PermanentError, RetryableError } from '../contract/errors.js';
import type { Observed, Provider, ProviderContext } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import { findByName, idIn, idInLocation } from './http-assigned.js';
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
 * A generic JSON REST collection, in one of two shapes.
 *
 * **Keyed by name** (the default): one object per resource at `{baseUrl}/{name}`.
 *
 * **Ids assigned by the server** (`serverId: 'id'`, as most REST servers do): a new object is
 * POSTed to the collection, and its id, from the reply's body or its `Location`, is remembered
 * in the inventory (`handleOf`, handed back as `ctx.handle`) and used as its address,
 * `{baseUrl}/{id}`. An object whose id is not known (a first pass, a recovery) is found by its
 * name field through a list of the collection; two objects of one name are an error, never a
 * guess.
 *
 * ```ts
 * const users = httpProvider({ kind: 'user', baseUrl: 'http://127.0.0.1:8080/users', serverId: 'id' });
 * ```
 *
 * | operation | request                                                            | success            |
 * |-----------|--------------------------------------------------------------------|--------------------|
 * | observe   | `GET {baseUrl}/{name}` (or `/{id}`; with no id known, `GET {baseUrl}` and a match by name) | 200 object; 404 → absent |
 * | list      | `GET {baseUrl}`: an array of objects with `idField`, or an object keyed by name | 200 |
 * | create    | `PUT {baseUrl}/{name}` (default) or `POST {baseUrl}`, body `{ ...spec, [idField]: name }`, then a `GET` of the new object | 2xx, then 200 |
 * | update    | `PUT` (default, whole body: a field the spec dropped is left out) or `PATCH` (a JSON merge patch of what differs, a dropped field as `null`, see `http-patch.ts`) | 2xx |
 * | delete    | `DELETE {baseUrl}/{name}` (or `/{id}`)                             | 2xx; 404 = already gone |
 *
 * A create is read back before it counts: an object the server does not then show where it
 * said it would is an error, never "in sync" (a collection that assigns ids, addressed by name,
 * would otherwise get a new copy on every pass). A 404 or 405 on create says which option to
 * change.
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
  const { base, kind, idField, serverId, headers, create, update, timeoutMs, ignore } =
    resolveHttpOptions(options);
  const request = httpRequester({ headers, timeoutMs });
  const at = (segment: string): string => `${base}/${encodeURIComponent(segment)}`;
  const bodyOf = (desired: Resource): Record<string, unknown> => ({
    ...desired.spec,
    [idField]: desired.name,
  });

  /** The object at `url`, or `undefined` when the server answers 404. */
  async function read(ctx: ProviderContext, url: string): Promise<Observed | undefined> {
    const reply = await request(ctx, 'GET', url, undefined, [404]);
    if (reply.status === 404) return undefined;
    const body = parseJson(reply.body);
    if (!isRecord(body)) {
      throw new Error(`GET ${url} -> ${reply.status}: expected a JSON object, got ${shape(body)}`);
    }
    return body;
  }

  /** Where an existing object lives: by name, or by the id the server gave it. */
  function urlOf(ref: Resource, current: Observed | undefined, ctx: ProviderContext): string {
    if (serverId === undefined) return at(ref.name);
    const id = idIn(current, serverId) ?? ctx.handle;
    if (id === undefined) {
      throw new PermanentError(
        `${kind}/${ref.name}: the object has no \`${serverId}\` field, so it cannot be addressed; check \`serverId\``,
      );
    }
    return at(id);
  }

  const findOptions = { base, idField, what: kind };

  const provider: HttpProvider = {
    kind,
    compare: { ignore: [idField, ...(serverId === undefined ? [] : [serverId]), ...ignore] },

    async observe(ref, ctx) {
      if (serverId === undefined) return read(ctx, at(ref.name));
      // The id remembered finds the object even if its name field was changed behind our back.
      const byId = ctx.handle === undefined ? undefined : await read(ctx, at(ctx.handle));
      return byId ?? findByName(request, ctx, ref.name, findOptions);
    },

    async create(desired, ctx) {
      if (serverId === undefined) {
        const url = create === 'PUT' ? at(desired.name) : base;
        const reply = await request(ctx, create, url, bodyOf(desired), [404, 405, 409]);
        refuseCreate(reply.status, create, url, desired.name);
        // Not there by name: the server keeps it elsewhere (it assigns ids), and trying again would
        // only make another copy. The configuration must change: permanent.
        const hint = 'if the server assigns ids, set `serverId`';
        return readBack(ctx, at(desired.name), `${create} ${url}`, hint, true);
      }
      const reply = await request(ctx, 'POST', base, bodyOf(desired), [404, 405, 409]);
      refuseCreate(reply.status, 'POST', base, desired.name);
      const id = idIn(objectOrUndefined(reply.body), serverId) ?? idInLocation(reply.location, base);
      if (id === undefined) {
        const found = await findByName(request, ctx, desired.name, findOptions);
        if (found !== undefined) return found;
        throw new Error(
          `POST ${base} -> ${reply.status}, but the reply names no \`${serverId}\` and no object named \`${desired.name}\` is listed; check \`serverId\` and \`idField\``,
        );
      }
      return readBack(ctx, at(id), `POST ${base}`, 'check `serverId` and `baseUrl`');
    },

    async update(desired, current, changes, ctx) {
      const url = urlOf(desired, current, ctx);
      if (update === 'PUT') return objectOrUndefined((await request(ctx, 'PUT', url, bodyOf(desired))).body);
      const patch = patchOf(desired.spec, current, changes);
      if (Object.keys(patch).length === 0) return current;
      return objectOrUndefined((await request(ctx, 'PATCH', url, patch)).body);
    },

    async delete(current, ref, ctx) {
      await request(ctx, 'DELETE', urlOf(ref, current, ctx), undefined, [404]);
    },

    async list(ctx) {
      const reply = await request(ctx, 'GET', base);
      return listOf(parseJson(reply.body), idField, `GET ${base}`);
    },
  };
  if (serverId !== undefined) provider.handleOf = (object) => idIn(object, serverId);
  return provider;

  /** The object just created, read back where the server said it is: absent is an error. */
  async function readBack(
    ctx: ProviderContext,
    url: string,
    made: string,
    hint: string,
    permanent = false,
  ): Promise<Observed> {
    const found = await read(ctx, url);
    if (found !== undefined) return found;
    const message = `${made} succeeded, but GET ${url} finds no object there: ${hint}`;
    throw permanent ? new PermanentError(message) : new Error(message);
  }
}

/** A create the server refused by status: 404 and 405 say which option to change; 409 is retried. */
function refuseCreate(status: number, method: string, url: string, name: string): void {
  if (status === 404 || status === 405) {
    const fix =
      method === 'PUT'
        ? "this collection does not take objects by name: if its server assigns ids, set `serverId: 'id'` (new objects are then POSTed); else check `baseUrl`"
        : 'check `baseUrl`: it must be the collection itself (e.g. http://host/users)';
    throw new PermanentError(`${method} ${url} -> ${status}: ${fix}`);
  }
  if (status === 409) {
    throw new RetryableError(
      `${method} ${url} -> 409: \`${name}\` already exists; the next pass observes it and updates it`,
    );
  }
}
