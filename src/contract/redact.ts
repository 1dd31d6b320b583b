/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * `text` with every occurrence of every secret replaced by `[redacted]`, whether the secret is
 * written as it is or as JSON escapes it inside a string.
 *
 * ```ts
 * redact('GET https://u:hunter2@db/x', ['hunter2']); // 'GET https://u:[redacted]@db/x'
 * redact(JSON.stringify({ password: 'a"b' }), ['a"b']); // '{"password":"[redacted]"}'
 * ```
 *
 * A secret holding a quote, a backslash or a control character is written differently in JSON
 * (`a"b` becomes `a\"b`), and again differently in JSON quoted inside a JSON string (an error
 * message that holds a spec, in a status document: `a\\\"b`). All three forms are hidden.
 *
 * Longer forms are matched first, so a secret that contains another is hidden whole; the text
 * is scanned once, left to right. Empty strings are not secrets and are ignored.
 * `loadConfig` collects the secrets: every value that came from `${env:NAME}`, and the server token.
 *
 * On JSON text this is the safety net: where the value is still at hand, `redactedJson` (in
 * `server/redact-json.ts`) hides secrets before they are encoded, which keeps the JSON valid.
 */
export function redact(text: string, secrets: readonly string[]): string {
  const pattern = secretPattern(secrets);
  return pattern === undefined ? text : text.replace(pattern, REDACTED);
}

/**
 * The ways `secret` can be written in output: as it is, JSON-escaped once (inside a JSON
 * string) and twice (inside a JSON string inside a JSON string). No duplicates.
 */
export function secretForms(secret: string): string[] {
  const once = jsonEscaped(secret);
  return [...new Set([secret, once, jsonEscaped(once)])];
}

/** `text` as it appears between the quotes of a JSON string. */
export function jsonEscaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

function secretPattern(secrets: readonly string[]): RegExp | undefined {
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue;
    for (const form of secretForms(secret)) forms.add(form);
  }
  if (forms.size === 0) return undefined;
  const unique = [...forms].sort((a, b) => b.length - a.length);
  return new RegExp(unique.map(escapeRegExp).join('|'), 'g');
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
