/** What a secret is replaced with. */
export const REDACTED = '[redacted]';

/**
 * `text` with every occurrence of every secret replaced by `[redacted]`.
 *
 * ```ts
 * redact('GET https://u:hunter2@db/x', ['hunter2']); // 'GET https://u:[redacted]@db/x'
 * ```
 *
 * Longer secrets are matched first, so a secret that contains another is hidden whole; the text
 * is scanned once, left to right. Empty strings are not secrets and are ignored.
 * `loadConfig` collects the secrets: every value that came from `${env:NAME}`, and the server token.
 */
export function redact(text: string, secrets: readonly string[]): string {
  const pattern = secretPattern(secrets);
  return pattern === undefined ? text : text.replace(pattern, REDACTED);
}

function secretPattern(secrets: readonly string[]): RegExp | undefined {
  const unique = [...new Set(secrets.filter((secret) => typeof secret === 'string' && secret !== ''))];
  if (unique.length === 0) return undefined;
  unique.sort((a, b) => b.length - a.length);
  return new RegExp(unique.map(escapeRegExp).join('|'), 'g');
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/-]/g, '\\$&');
}
