import { redact } from '../contract/redact.js';

/**
 * `value` as JSON with every secret hidden: the way to print a document that may hold one.
 *
 * ```ts
 * redactedJson({ spec: { password: 'p"w', url: 'postgres://u:p"w@db' } }, ['p"w']);
 * // '{"spec":{"password":"[redacted]","url":"postgres://u:[redacted]@db"}}'
 * ```
 *
 * Secrets are hidden in every string value and every key before encoding (after `toJSON`, as
 * `JSON.stringify` sees them), so a secret holding `"` or `\` is hidden whole and the result
 * stays valid JSON; a number that spells a secret (a port from `${env:PORT}`) becomes the string
 * `"[redacted]"`. The encoded text then goes through `redact` as well, a safety net for a secret
 * that only the encoding spells out. `space` is `JSON.stringify`'s; a value with no JSON form
 * (`undefined`, a function) gives `null`.
 */
export function redactedJson(value: unknown, secrets: readonly string[], space?: number): string {
  const live = secrets.filter((secret) => typeof secret === 'string' && secret !== '');
  if (live.length === 0) return JSON.stringify(value, null, space) ?? 'null';
  const text = JSON.stringify(value, (_key, item: unknown) => redactItem(item, live), space) ?? 'null';
  return redact(text, live);
}

/**
 * `redact` for JSON already encoded (a log line, a rendered plan): a secret is hidden as written
 * and as JSON escapes it inside a string.
 *
 * ```ts
 * redactJsonText('{"url":"https://u:p\\"w@db"}', ['p"w']); // '{"url":"https://u:[redacted]@db"}'
 * ```
 */
export function redactJsonText(text: string, secrets: readonly string[]): string {
  return secrets.length === 0 ? text : redact(text, secrets);
}

/**
 * A string redacted; a number that spells a secret as a redacted string; an object whose keys
 * hold a secret copied with its keys redacted.
 */
function redactItem(item: unknown, secrets: readonly string[]): unknown {
  if (typeof item === 'string') return redact(item, secrets);
  if (typeof item === 'number') {
    const shown = JSON.stringify(item);
    const hidden = redact(shown, secrets);
    return hidden === shown ? item : hidden;
  }
  if (typeof item !== 'object' || item === null || Array.isArray(item)) return item;
  const entries = Object.entries(item);
  const keys = entries.map(([key]) => redact(key, secrets));
  if (keys.every((key, i) => key === entries[i]?.[0])) return item;
  return Object.fromEntries(entries.map(([, v], i) => [keys[i], v]));
}
