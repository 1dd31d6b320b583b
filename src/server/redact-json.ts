import { redact } from '../config/redact.js';

/**
 * `redact` for JSON text: a secret is hidden both as written and as JSON escapes it inside a
 * string (a secret holding `"` or `\` appears escaped in a log line or a response body).
 *
 * ```ts
 * redactJsonText('{"url":"https://u:p\\"w@db"}', ['p"w']); // '{"url":"https://u:[redacted]@db"}'
 * ```
 */
export function redactJsonText(text: string, secrets: readonly string[]): string {
  if (secrets.length === 0) return text;
  const forms = new Set<string>();
  for (const secret of secrets) {
    if (typeof secret !== 'string' || secret === '') continue;
    forms.add(secret);
    forms.add(JSON.stringify(secret).slice(1, -1));
  }
  return redact(text, [...forms]);
}
