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
 */

export const SNAPSHOT_VERSION = 1;

export function encodeChange(change: StoreChange): string {
  return `${JSON.stringify(change)}\n`;
}

export function encodeSnapshot(state: StoreState): string {
  return JSON.stringify({
    version: SNAPSHOT_VERSION,
    seq: state.seq,
    nextIntent: state.nextIntent,
    entries: [...state.entries.values()],
    pending: [...state.pending.values()],
  });
}

/** The state in a snapshot's text, or a description of what is wrong with it. */
export function decodeSnapshot(text: string): StoreState | string {
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
    const entry = decodeEntry(raw);
    if (!entry) return `malformed inventory entry ${JSON.stringify(raw)}`;
    state.entries.set(entry.key, entry);
  }
  for (const raw of pending) {
    const intent = decodeIntent(raw);
    if (!intent) return `malformed intent ${JSON.stringify(raw)}`;
    state.pending.set(intent.id, intent);
  }
  return state;
}

/** A journal line's change, or `undefined` if the line is not one. */
export function decodeChange(line: string): StoreChange | undefined {
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
      const entry = decodeEntry(value.entry);
      return entry && { seq, t: 'record', entry };
    }
    case 'good':
      return typeof value.key === 'string' && isRecord(value.spec) && typeof value.at === 'number'
        ? { seq, t: 'good', key: value.key, spec: deepFreeze(value.spec), at: value.at }
        : undefined;
    case 'forget':
      return typeof value.key === 'string' ? { seq, t: 'forget', key: value.key } : undefined;
    case 'intent': {
      const intent = decodeIntent(value.intent);
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

function decodeEntry(value: unknown): InventoryEntry | undefined {
  if (!isRecord(value)) return undefined;
  const { key, kind, name, origin, updatedAt, lastApplied, lastAppliedHash, lastGood, generation } = value;
  const ok =
    typeof key === 'string' &&
    typeof kind === 'string' &&
    typeof name === 'string' &&
    (origin === 'created' || origin === 'adopted') &&
    typeof updatedAt === 'number' &&
    (lastApplied === undefined || isRecord(lastApplied)) &&
    (lastAppliedHash === undefined || typeof lastAppliedHash === 'string') &&
    (lastGood === undefined || isRecord(lastGood)) &&
    (generation === undefined || typeof generation === 'number');
  return ok ? deepFreeze(value as unknown as InventoryEntry) : undefined;
}

function decodeIntent(value: unknown): Intent | undefined {
  if (!isRecord(value)) return undefined;
  const { id, key, op, spec, at } = value;
  const ok =
    typeof id === 'string' &&
    typeof key === 'string' &&
    (op === 'create' || op === 'update' || op === 'delete') &&
    (spec === undefined || isRecord(spec)) &&
    typeof at === 'number';
  return ok ? deepFreeze(value as unknown as Intent) : undefined;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isCount(value: unknown): value is number {
  return Number.isSafeInteger(value) && (value as number) >= 0;
}
