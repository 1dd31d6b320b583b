import type { Sealer } from './seal.js';
import { specHash } from './spec-hash.js';
import type { Intent, InventoryEntry } from './state-store.js';
import { deepFreeze, type StoreChange, type StoreState } from './store-state.js';

/**
 * The JSON forms of the store's state on disk: one journal line per change, and the snapshot.
 * Decoding checks shapes and returns `undefined` (or a problem) instead of trusting the file.
 *
 * A snapshot (`inventory.json`):
 *
 * ```json
 * { "version": 1, "seq": 42, "nextIntent": 7,
 *   "entries": [{ "key": "user/alice", "kind": "user", "name": "alice", "origin": "created", ... }],
 *   "pending": [{ "id": "6", "key": "user/bob", "op": "create", "spec": { ... }, "at": 1700000000000 }] }
 * ```
 *
 * Specs are written through a {@link Sealer}: a string holding a secret goes to disk redacted,
 * with a `sealed` list beside the spec (`sealed: { lastApplied: [...] }` on an entry, `sealed:
 * [...]` on an intent or a `good` change) that restores it. Decoding with a sealer opens the
 * seals; decoding without one (a read-only view) leaves the strings redacted.
 */

export const SNAPSHOT_VERSION = 1;

export function encodeChange(change: StoreChange, sealer?: Sealer): string {
  return `${JSON.stringify(sealer ? sealChange(change, sealer) : change)}\n`;
}

export function encodeSnapshot(state: StoreState, sealer?: Sealer): string {
  const entries = [...state.entries.values()];
  const pending = [...state.pending.values()];
  return JSON.stringify({
    version: SNAPSHOT_VERSION,
    seq: state.seq,
    nextIntent: state.nextIntent,
    entries: sealer ? entries.map((e) => sealEntry(e, sealer)) : entries,
    pending: sealer ? pending.map((i) => sealIntent(i, sealer)) : pending,
  });
}

function sealChange(change: StoreChange, sealer: Sealer): object {
  switch (change.t) {
    case 'record':
      return { ...change, entry: sealEntry(change.entry, sealer) };
    case 'intent':
      return { ...change, intent: sealIntent(change.intent, sealer) };
    case 'good': {
      if (change.spec === undefined) return change;
      const { spec, seals } = sealer.seal(change.spec);
      return seals ? { ...change, spec, sealed: seals } : change;
    }
    default:
      return change;
  }
}

export function sealEntry(entry: InventoryEntry, sealer: Sealer): object {
  const applied = entry.lastApplied && sealer.seal(entry.lastApplied);
  const good = entry.lastGood === entry.lastApplied ? applied : entry.lastGood && sealer.seal(entry.lastGood);
  if (!applied?.seals && !good?.seals) return entry;
  const { lastAppliedHash, ...rest } = entry;
  return {
    ...rest,
    // A hash of a spec holding a secret would let a guess at the secret be checked: recomputed on read.
    ...(applied?.seals ? {} : lastAppliedHash === undefined ? {} : { lastAppliedHash }),
    ...(applied ? { lastApplied: applied.spec } : {}),
    ...(good ? { lastGood: good.spec } : {}),
    sealed: {
      ...(applied?.seals ? { lastApplied: applied.seals } : {}),
      ...(good?.seals ? { lastGood: good.seals } : {}),
    },
  };
}

export function sealIntent(intent: Intent, sealer: Sealer): object {
  if (intent.spec === undefined) return intent;
  const { spec, seals } = sealer.seal(intent.spec);
  return seals ? { ...intent, spec, sealed: seals } : intent;
}

/** The state in a snapshot's text, or a description of what is wrong with it. */
export function decodeSnapshot(text: string, sealer?: Sealer): StoreState | string {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return `not valid JSON (${(error as Error).message})`;
  }
  if (!isRecord(value)) return 'not a JSON object';
  if (value.version !== SNAPSHOT_VERSION) {
    return `snapshot version ${String(value.version)} is not ${SNAPSHOT_VERSION} (written by another setpoint version?)`;
  }
  const { seq, nextIntent, entries, pending } = value;
  if (!isCount(seq) || !isCount(nextIntent) || !Array.isArray(entries) || !Array.isArray(pending)) {
    return 'missing or malformed seq, nextIntent, entries or pending';
  }
  const state: StoreState = { entries: new Map(), pending: new Map(), seq, nextIntent };
  for (const raw of entries) {
    const entry = decodeEntry(raw, sealer);
    if (!entry) return `malformed inventory entry ${JSON.stringify(raw)}`;
    state.entries.set(entry.key, entry);
  }
  for (const raw of pending) {
    const intent = decodeIntent(raw, sealer);
    if (!intent) return `malformed intent ${JSON.stringify(raw)}`;
    state.pending.set(intent.id, intent);
  }
  return state;
}

/** A journal line's change, or `undefined` if the line is not one. */
export function decodeChange(line: string, sealer?: Sealer): StoreChange | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (!isRecord(value) || !isCount(value.seq)) return undefined;
  const { seq } = value;
  switch (value.t) {
    case 'record': {
      const entry = decodeEntry(value.entry, sealer);
      return entry && { seq, t: 'record', entry };
    }
    case 'good': {
      if (typeof value.key !== 'string' || !isRecord(value.spec) || typeof value.at !== 'number')
        return undefined;
      const good = openSpec(value.spec, value.sealed, sealer);
      if (good === undefined) return undefined;
      // A rollback target that cannot be restored is no target at all.
      const spec = good.complete ? deepFreeze(good.spec) : undefined;
      return { seq, t: 'good', key: value.key, spec, at: value.at };
    }
    case 'forget':
      return typeof value.key === 'string' ? { seq, t: 'forget', key: value.key } : undefined;
    case 'intent': {
      const intent = decodeIntent(value.intent, sealer);
      return intent && { seq, t: 'intent', intent };
    }
    case 'settle':
      return typeof value.id === 'string' && (value.outcome === 'done' || value.outcome === 'failed')
        ? { seq, t: 'settle', id: value.id, outcome: value.outcome }
        : undefined;
    default:
      return undefined;
  }
}

export function decodeEntry(value: unknown, sealer: Sealer | undefined): InventoryEntry | undefined {
  if (!isRecord(value)) return undefined;
  const {
    key,
    kind,
    name,
    origin,
    updatedAt,
    lastApplied,
    lastAppliedHash,
    lastGood,
    generation,
    sealed,
    handle,
  } = value;
  const ok =
    typeof key === 'string' &&
    typeof kind === 'string' &&
    typeof name === 'string' &&
    (origin === 'created' || origin === 'adopted') &&
    typeof updatedAt === 'number' &&
    (lastApplied === undefined || isRecord(lastApplied)) &&
    (lastAppliedHash === undefined || typeof lastAppliedHash === 'string') &&
    (lastGood === undefined || isRecord(lastGood)) &&
    (generation === undefined || typeof generation === 'number') &&
    (handle === undefined || typeof handle === 'string') &&
    (sealed === undefined || isRecord(sealed));
  if (!ok) return undefined;
  if (sealed === undefined) return deepFreeze(value as unknown as InventoryEntry);
  const { sealed: _, ...entry } = value;
  if (lastApplied !== undefined) {
    const applied = openSpec(lastApplied as Record<string, unknown>, sealed.lastApplied, sealer);
    if (applied === undefined) return undefined;
    entry.lastApplied = applied.spec;
    entry.lastAppliedHash = specHash(applied.spec);
  }
  if (lastGood !== undefined) {
    const good = openSpec(lastGood as Record<string, unknown>, sealed.lastGood, sealer);
    if (good === undefined) return undefined;
    if (good.complete) entry.lastGood = good.spec;
    else delete entry.lastGood; // never roll back to a spec that says `[redacted]`
  }
  return deepFreeze(entry as unknown as InventoryEntry);
}

export function decodeIntent(value: unknown, sealer: Sealer | undefined): Intent | undefined {
  if (!isRecord(value)) return undefined;
  const { id, key, op, spec, at, sealed } = value;
  const ok =
    typeof id === 'string' &&
    typeof key === 'string' &&
    (op === 'create' || op === 'update' || op === 'delete') &&
    (spec === undefined || isRecord(spec)) &&
    typeof at === 'number';
  if (!ok) return undefined;
  if (sealed === undefined || spec === undefined) return deepFreeze(value as unknown as Intent);
  const opened = openSpec(spec, sealed, sealer);
  if (opened === undefined) return undefined;
  const { sealed: _, ...intent } = value;
  return deepFreeze({ ...intent, spec: opened.spec } as unknown as Intent);
}

/** `spec` with its seals opened; without a sealer (a view), left as written. */
function openSpec(
  spec: Record<string, unknown>,
  seals: unknown,
  sealer: Sealer | undefined,
): { spec: Record<string, unknown>; complete: boolean } | undefined {
  if (seals !== undefined && !Array.isArray(seals)) return undefined;
  return sealer ? sealer.open(spec, seals) : { spec, complete: true };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
