import type { Observed } from '../contract/provider.js';
import { isRecord } from './options.js';

/**
 * What a JSON REST server's response bodies mean to the http provider. A body that is not
 * what it should be is a plain `Error` (retried) that says what came instead, never the body
 * itself.
 */

/** The body as JSON; `undefined` when empty, the text itself when it is not JSON. */
export function parseJson(text: string): unknown {
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** The object a create or update answered with, if it answered with one. */
export function objectOrUndefined(text: string): Observed | undefined {
  const body = parseJson(text);
  return isRecord(body) ? body : undefined;
}

/** The objects of a list: an array of objects with `idField`, or an object keyed by name. */
export function listOf(body: unknown, idField: string, what: string): Map<string, Observed> {
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

/** What sort of body it was, for an error message. */
export function shape(value: unknown): string {
  if (value === undefined) return 'an empty body';
  if (typeof value === 'string') return 'text that is not JSON';
  return Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
}
