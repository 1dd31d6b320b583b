import { keyOf, parseKey } from '../contract/resource.js';
import { sameSpec } from '../diff/compare.js';
import type { Clock } from '../time/clock.js';
import { NOT_PLAIN, plainCopy } from './plain-copy.js';
import { specHash } from './spec-hash.js';
import type { Intent, IntentRequest, InventoryEntry, InventoryRecord, StateStore } from './state-store.js';
import {
  applyChange,
  deepFreeze,
  emptyState,
  inventoryEntry,
  type StoreChange,
  type StoreState,
} from './store-state.js';

/**
 * Where a store keeps its state durably. The shell ({@link createBackedStore}) checks input,
 * turns each call into a {@link StoreChange}, applies it to memory and hands it to the
 * backend; a backend only has to load state and make changes durable, in order.
 */
export interface StoreBackend {
  /** Take ownership of the state (a lock, a lease) and load it. */
  open(): Promise<StoreState>;
  /**
   * Make one change durable. Called synchronously in change order; resolves once durable.
   * The change is already applied to the state `open` returned.
   */
  persist(change: StoreChange): Promise<void>;
  /** Wait for every change to be durable, then release ownership. */
  close(): Promise<void>;
}

const ORIGINS = new Set(['created', 'adopted']);
const OPS = new Set(['create', 'update', 'delete']);
const OUTCOMES = new Set(['done', 'failed']);

/**
 * A {@link StateStore} over a backend. Time comes only from `clock`. `intentIdPrefix` keeps the
 * intent ids of several writers to one backend apart (each instance sharing a database has its own).
 */
export function createBackedStore(backend: StoreBackend, clock: Clock, intentIdPrefix = ''): StateStore {
  let state = emptyState();
  let phase: 'closed' | 'opening' | 'open' | 'closing' = 'closed';

  function assertOpen(call: string): void {
    if (phase !== 'open') {
      throw new TypeError(
        `Cannot call \`${call}\` on a state store that is ${phase}; await \`open()\` first`,
      );
    }
  }

  function commit(change: StoreChange): Promise<void> {
    applyChange(state, change);
    return backend.persist(change);
  }

  return {
    async open() {
      if (phase !== 'closed') throw new TypeError(`Cannot open a state store that is already ${phase}`);
      phase = 'opening';
      try {
        state = await backend.open();
        phase = 'open';
      } catch (error) {
        phase = 'closed';
        throw error;
      }
    },

    async close() {
      if (phase !== 'open') return;
      phase = 'closing';
      try {
        await backend.close();
      } finally {
        phase = 'closed';
      }
    },

    inventory: () => state.entries,
    get: (key) => state.entries.get(key),
    pendingIntents: () => [...state.pending.values()],

    async record(input) {
      assertOpen('record');
      const entry = normalizeRecord(input, state.entries.get(input?.key), clock.now());
      await commit({ seq: state.seq + 1, t: 'record', entry });
    },

    async markGood(key, spec) {
      assertOpen('markGood');
      if (!state.entries.has(key)) {
        throw new TypeError(
          `Cannot mark \`${String(key)}\` good: it is not in the inventory; \`record\` it after applying it first`,
        );
      }
      // Most often the good spec is the one last applied: share that frozen copy, not a second one.
      const copy = copySpec(spec, 'spec');
      const applied = state.entries.get(key)?.lastApplied;
      const good = applied !== undefined && sameSpec(applied, copy) ? applied : copy;
      await commit({ seq: state.seq + 1, t: 'good', key, spec: good, at: clock.now() });
    },

    async forget(key) {
      assertOpen('forget');
      if (!state.entries.has(key)) return;
      await commit({ seq: state.seq + 1, t: 'forget', key });
    },

    async intend(request) {
      assertOpen('intend');
      const intent = normalizeIntent(request, `${intentIdPrefix}${state.nextIntent}`, clock.now());
      await commit({ seq: state.seq + 1, t: 'intent', intent });
      return intent;
    },

    async settle(intentId, outcome) {
      assertOpen('settle');
      if (!OUTCOMES.has(outcome)) {
        throw new TypeError(`Expected \`outcome\` to be 'done' or 'failed', got \`${String(outcome)}\``);
      }
      if (!state.pending.has(intentId)) {
        throw new TypeError(`Cannot settle intent \`${String(intentId)}\`: no such intent is pending`);
      }
      await commit({ seq: state.seq + 1, t: 'settle', id: intentId, outcome });
    },
  };
}

function normalizeRecord(
  input: InventoryRecord,
  previous: InventoryEntry | undefined,
  now: number,
): InventoryEntry {
  if (typeof input !== 'object' || input === null) {
    throw new TypeError(
      `Expected \`record\` to be given an inventory entry object, got \`${String(input)}\``,
    );
  }
  const { key, kind, name, origin, generation, lastAppliedHash, handle } = input;
  if (typeof kind !== 'string' || kind === '' || typeof name !== 'string' || name === '') {
    throw new TypeError(
      `Expected \`kind\` and \`name\` to be non-empty strings, got \`${String(kind)}\` and \`${String(name)}\``,
    );
  }
  if (key !== keyOf({ kind, name })) {
    throw new TypeError(
      `Expected \`key\` to be \`${keyOf({ kind, name })}\` (kind/name), got \`${String(key)}\``,
    );
  }
  if (!ORIGINS.has(origin)) {
    throw new TypeError(`Expected \`origin\` to be 'created' or 'adopted', got \`${String(origin)}\``);
  }
  if (generation !== undefined && !Number.isFinite(generation)) {
    throw new TypeError(`Expected \`generation\` to be a finite number, got \`${String(generation)}\``);
  }
  if (handle !== undefined && (typeof handle !== 'string' || handle === '')) {
    throw new TypeError(`Expected \`handle\` to be a non-empty string, got \`${String(handle)}\``);
  }
  if (lastAppliedHash !== undefined && typeof lastAppliedHash !== 'string') {
    throw new TypeError(`Expected \`lastAppliedHash\` to be a string, got \`${String(lastAppliedHash)}\``);
  }
  const lastApplied =
    input.lastApplied === undefined ? undefined : copySpec(input.lastApplied, 'lastApplied');
  // A record after an update must not erase the rollback target that markGood set.
  const lastGood = input.lastGood === undefined ? previous?.lastGood : copySpec(input.lastGood, 'lastGood');
  return inventoryEntry({
    key,
    kind,
    name,
    origin,
    lastApplied,
    lastAppliedHash: lastApplied === undefined ? lastAppliedHash : (lastAppliedHash ?? specHash(lastApplied)),
    lastGood,
    generation,
    handle: handle ?? previous?.handle,
    updatedAt: now,
  });
}

function normalizeIntent(request: IntentRequest, id: string, at: number): Intent {
  if (typeof request !== 'object' || request === null) {
    throw new TypeError(`Expected \`intend\` to be given { key, op, spec? }, got \`${String(request)}\``);
  }
  const { key, op } = request;
  if (typeof key !== 'string' || parseKey(key).name === '') {
    throw new TypeError(`Expected \`key\` to be \`kind/name\`, got \`${String(key)}\``);
  }
  if (!OPS.has(op)) {
    throw new TypeError(`Expected \`op\` to be 'create', 'update' or 'delete', got \`${String(op)}\``);
  }
  if (request.spec === undefined) {
    if (op !== 'delete') {
      throw new TypeError(`Expected \`spec\` for a '${op}' intent on \`${key}\`: recovery adopts with it`);
    }
    return Object.freeze({ id, key, op, at });
  }
  return Object.freeze({ id, key, op, spec: copySpec(request.spec, 'spec'), at });
}

/**
 * Specs are stored as JSON: a copy is what JSON makes of the spec, so that every backend holds
 * exactly the same value; made without the text for plain data (`plain-copy.ts`).
 */
function copySpec(spec: unknown, option: string): Record<string, unknown> {
  if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) {
    const got = Array.isArray(spec) ? 'an array' : `\`${String(spec)}\` (${typeof spec})`;
    throw new TypeError(`Expected \`${option}\` to be a plain object (a spec), got ${got}`);
  }
  const plain = plainCopy(spec);
  if (plain !== NOT_PLAIN) return plain as Record<string, unknown>;
  let text: string;
  try {
    text = JSON.stringify(spec);
  } catch (error) {
    throw new TypeError(`Expected \`${option}\` to be JSON-serializable: ${(error as Error).message}`);
  }
  return deepFreeze(JSON.parse(text) as Record<string, unknown>);
}
