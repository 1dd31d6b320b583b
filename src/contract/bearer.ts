import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Whether an `Authorization` header carries `Bearer <token>`.
 *
 * Both sides are hashed (SHA-256) before a constant-time comparison: the time taken says
 * nothing about how much of the token was right, nor about its length.
 *
 * ```ts
 * bearerMatches('Bearer s3cret', 's3cret'); // true
 * bearerMatches('Basic czNjcmV0', 's3cret'); // false
 * ```
 */
export function bearerMatches(header: string | string[] | undefined, token: string): boolean {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(value ?? '');
  const given = digest(match?.[1] ?? '');
  const expected = digest(token);
  return timingSafeEqual(given, expected) && match !== null;
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}
