import { createHash } from 'node:crypto';
import { canonicalJson } from '../diff/canonical-json.js';

/**
 * A short, stable fingerprint of a spec: equal specs hash equal whatever their key order, and
 * different specs hash differently (64 bits: a collision among a million specs has odds of
 * about one in 36 million).
 *
 * ```ts
 * specHash({ role: 'admin', team: 'ops' }) === specHash({ team: 'ops', role: 'admin' }); // true
 * ```
 *
 * Pure. Specs are compared as JSON: `undefined` fields are absent, `-0` is `0`.
 */
export function specHash(spec: unknown): string {
  // The first 8 bytes as hex: a flat 16-character string. `digest('hex').slice(0, 16)` would keep
  // the whole 64-character digest alive behind every stored hash.
  return createHash('sha256').update(canonicalJson(spec)).digest().toString('hex', 0, 8);
}
