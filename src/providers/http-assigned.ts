import { PermanentError } from '../contract/errors.js';
import type { Observed, ProviderContext } from '../contract/provider.js';
import { parseJson, shape } from './http-body.js';
import type { HttpRequest } from './http-request.js';
import { isRecord } from './options.js';

/**
 * A collection whose server assigns the ids: how the http provider finds an object it has no
 * id for, and reads the id a server gave.
 */

/** The id in `object`'s field `field`, as text; `undefined` when there is none. */
export function idIn(object: unknown, field: string): string | undefined {
  if (!isRecord(object)) return undefined;
  const id = object[field];
  return typeof id === 'string' && id !== '' ? id : typeof id === 'number' ? String(id) : undefined;
}

/** The id in a `Location` header pointing at `{base}/{id}`, if it does. */
export function idInLocation(location: string | undefined, base: string): string | undefined {
  if (location === undefined || !URL.canParse(location, `${base}/`)) return undefined;
  const path = new URL(location, `${base}/`).pathname;
  const prefix = `${new URL(base).pathname.replace(/\/+$/, '')}/`;
  if (!path.startsWith(prefix)) return undefined;
  const rest = path.slice(prefix.length).replace(/\/+$/, '');
  return rest === '' || rest.includes('/') ? undefined : decodeURIComponent(rest);
}

/**
 * The object of the collection whose name field holds `name`: `GET {base}` and a match. None is
 * `undefined`; two or more are a `PermanentError`, since picking one would manage the wrong
 * object or leave a copy behind: a person removes the extra ones.
 */
export async function findByName(
  request: HttpRequest,
  ctx: ProviderContext,
  name: string,
  options: { readonly base: string; readonly idField: string; readonly what: string },
): Promise<Observed | undefined> {
  const { base, idField, what } = options;
  const reply = await request(ctx, 'GET', base);
  const body = parseJson(reply.body);
  const items = Array.isArray(body) ? body : isRecord(body) ? Object.values(body) : undefined;
  if (items === undefined)
    throw new Error(`GET ${base}: expected a JSON array of objects, got ${shape(body)}`);
  const found = items.filter((item): item is Observed => isRecord(item) && item[idField] === name);
  if (found.length > 1) {
    throw new PermanentError(
      `${what}/${name}: ${found.length} objects of ${base} have \`${idField}: ${JSON.stringify(name)}\`; remove all but one (setpoint will not guess which is its own)`,
    );
  }
  return found[0];
}
