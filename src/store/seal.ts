import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { redact, secretForms } from '../contract/redact.js';
import { replaceAt } from '../diff/path.js';

/**
 * Secrets never reach the state directory in clear.
 *
 * A spec the runtime applied may hold a secret (a value that came from `${env:…}` or
 * `${file:…}`), and the store must remember that spec: the last applied one decides what a field
 * removed from the desired spec means, the last good one is the rollback target, an intent's
 * spec is what recovery adopts with. So the secret cannot simply be dropped. Instead, every
 * string of a spec that holds a secret is **sealed** on its way to disk: the spec is written
 * with that string redacted (`postgres://app:[redacted]@db/app`), and beside it a seal: where
 * the string sits, and the string itself encrypted with AES-256-GCM under the state key.
 * Reading the state opens the seals and puts the strings back, so the runtime holds exactly the
 * spec it applied, across restarts, and after a rotation still knows the old value was a secret.
 *
 * The state key is 32 bytes: given by whoever opens the store (the CLI reads
 * `SETPOINT_STATE_KEY`), or kept in the state directory as `state.key`, readable by its owner
 * only. A seal that cannot be opened (the key changed or was lost) leaves the redacted string
 * in place and is counted: the resource is observed and re-applied rather than trusted, and a
 * last good spec that cannot be restored is dropped, so rollback never applies `[redacted]`.
 *
 * Only strings are sealed; a secret used as an object key is not (the config's references
 * only ever produce string values).
 */

/** Where a sealed string sits in its spec, and the string encrypted. */
export interface Seal {
  readonly at: readonly (string | number)[];
  /** base64 of the 12-byte nonce, the 16-byte tag and the ciphertext. */
  readonly box: string;
}

/** A spec as it goes to disk: redacted, with the seals that restore it. */
export interface SealedSpec {
  readonly spec: Record<string, unknown>;
  readonly seals?: readonly Seal[];
}

/** A spec as read back: restored, unless some seal could not be opened. */
export interface OpenedSpec {
  readonly spec: Record<string, unknown>;
  readonly complete: boolean;
}

export interface Sealer {
  /** `spec` as it may be written: every string holding a known secret redacted and sealed. */
  seal(spec: Record<string, unknown>): SealedSpec;
  /** `spec` with `seals` opened, or `undefined` when `seals` is not a list of seals. */
  open(spec: Record<string, unknown>, seals: unknown): OpenedSpec | undefined;
  /** Strings opened from seals so far: secrets the current config may no longer name. */
  found(): readonly string[];
  /** Seals that could not be opened so far. */
  lost(): number;
}

/** How long a state key is: 32 bytes, for AES-256. */
export const STATE_KEY_BYTES = 32;

const NONCE_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A sealer over `key` (none: nothing can be sealed or opened) for the secrets `secrets()`
 * names at the moment of each write (a reloaded config can bring new ones).
 */
export function createSealer(key: Uint8Array | undefined, secrets: () => Iterable<string>): Sealer {
  const known = new Set<string>();
  let forms: string[] = [];
  const found: string[] = [];
  let lost = 0;
  // Specs are frozen: one sealed at a given set of secrets stays sealed (and keeps its nonces).
  const cache = new WeakMap<object, { readonly size: number; readonly sealed: SealedSpec }>();

  function learn(secret: string): void {
    if (secret === '' || known.has(secret)) return;
    known.add(secret);
    forms = [...new Set([...forms, ...secretForms(secret)])];
  }

  function seal(spec: Record<string, unknown>): SealedSpec {
    for (const secret of secrets()) learn(secret);
    if (forms.length === 0) return { spec };
    const hit = cache.get(spec);
    if (hit?.size === known.size) return hit.sealed;
    const seals: Seal[] = [];
    const out = sealWithin(spec, [], seals) as Record<string, unknown>;
    const sealed = seals.length === 0 ? { spec } : { spec: out, seals };
    if (Object.isFrozen(spec)) cache.set(spec, { size: known.size, sealed });
    return sealed;
  }

  function sealWithin(value: unknown, at: (string | number)[], seals: Seal[]): unknown {
    if (typeof value === 'string') {
      if (!forms.some((form) => value.includes(form))) return value;
      seals.push({ at: [...at], box: encrypt(requireKey(key), value) });
      return redact(value, [...known]);
    }
    if (typeof value !== 'object' || value === null) return value;
    let copy: Record<string | number, unknown> | undefined;
    const entries: [string | number, unknown][] = Array.isArray(value)
      ? value.map((v, i) => [i, v])
      : Object.entries(value);
    for (const [segment, inner] of entries) {
      at.push(segment);
      const next = sealWithin(inner, at, seals);
      at.pop();
      if (next !== inner) {
        copy ??= (Array.isArray(value) ? [...value] : { ...value }) as Record<string | number, unknown>;
        setOwn(copy, segment, next);
      }
    }
    return copy ?? value;
  }

  function open(spec: Record<string, unknown>, seals: unknown): OpenedSpec | undefined {
    if (seals === undefined) return { spec, complete: true };
    if (!Array.isArray(seals) || !seals.every(isSeal)) return undefined;
    let out: unknown = spec;
    let complete = true;
    for (const { at, box } of seals) {
      const text = key === undefined ? undefined : decrypt(key, box);
      if (text === undefined) {
        lost++;
        complete = false;
        continue;
      }
      if (!known.has(text)) found.push(text);
      learn(text); // sealed again on the next write, whatever the config says now
      out = replaceAt(out, at, () => text);
    }
    return { spec: out as Record<string, unknown>, complete };
  }

  return { seal, open, found: () => [...found], lost: () => lost };
}

/** The state key in `text` (base64 of 32 bytes), or a `TypeError` that says what is wrong. */
export function parseStateKey(text: string, source: string): Uint8Array {
  const trimmed = text.trim();
  const bytes = Buffer.from(trimmed, 'base64');
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(trimmed) || bytes.length !== STATE_KEY_BYTES) {
    throw new TypeError(
      `Expected ${source} to be a state key: ${STATE_KEY_BYTES} bytes in base64 (44 characters, e.g. from \`openssl rand -base64 32\`), got ${trimmed.length} characters`,
    );
  }
  return new Uint8Array(bytes);
}

/** A fresh state key, as the text `state.key` holds. */
export function newStateKeyText(): string {
  return `${randomBytes(STATE_KEY_BYTES).toString('base64')}\n`;
}

function requireKey(key: Uint8Array | undefined): Uint8Array {
  if (key === undefined)
    throw new TypeError('Cannot seal a secret without a state key; pass `key` to the store');
  return key;
}

function encrypt(key: Uint8Array, text: string): string {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, nonce);
  const body = Buffer.concat([cipher.update(text, 'utf8'), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64');
}

function decrypt(key: Uint8Array, box: string): string | undefined {
  const bytes = Buffer.from(box, 'base64');
  if (bytes.length < NONCE_BYTES + TAG_BYTES) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, NONCE_BYTES));
    decipher.setAuthTag(bytes.subarray(NONCE_BYTES, NONCE_BYTES + TAG_BYTES));
    const body = bytes.subarray(NONCE_BYTES + TAG_BYTES);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  } catch {
    return undefined; // another key, or a box that was tampered with
  }
}

function isSeal(value: unknown): value is Seal {
  if (typeof value !== 'object' || value === null) return false;
  const { at, box } = value as Record<string, unknown>;
  return (
    typeof box === 'string' &&
    Array.isArray(at) &&
    at.length > 0 &&
    at.every((s) => typeof s === 'string' || (Number.isSafeInteger(s) && s >= 0))
  );
}

/** Set a property as data, even one named `__proto__` (which JSON allows as a key). */
function setOwn(target: Record<string | number, unknown>, key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, writable: true, enumerable: true, configurable: true });
}
