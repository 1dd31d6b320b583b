import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { postgresTests } from '../../../test/helpers/postgres.js';
import { TestClock } from '../../time/test-clock.js';
import { createPostgresStore } from './postgres-store.js';

const pgt = postgresTests();

type Op =
  | { readonly t: 'record'; readonly name: string; readonly v: number }
  | { readonly t: 'forget'; readonly name: string }
  | { readonly t: 'good'; readonly name: string; readonly v: number }
  | { readonly t: 'intent'; readonly name: string; readonly settle: 'now' | 'later' | 'never' };

const NAMES = ['a', 'b', 'c'];
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ t: fc.constant('record' as const), name: fc.constantFrom(...NAMES), v: fc.nat(9) }),
  fc.record({ t: fc.constant('forget' as const), name: fc.constantFrom(...NAMES) }),
  fc.record({ t: fc.constant('good' as const), name: fc.constantFrom(...NAMES), v: fc.nat(9) }),
  fc.record({
    t: fc.constant('intent' as const),
    name: fc.constantFrom(...NAMES),
    settle: fc.constantFrom('now' as const, 'later' as const, 'never' as const),
  }),
);

describe('a PostgreSQL store writing a batch at once', () => {
  it('leaves the tables as its state says, however the changes fell into batches', async () => {
    const { connect } = await pgt.database('batch');
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 40 }), async (ops) => {
        run++;
        const prefix = `r${run}-`;
        const first = await connect();
        const second = await connect();
        const store = createPostgresStore({
          client: first,
          clock: new TestClock(),
          instance: `i${run}`,
        });
        await store.open();
        // Not awaited one by one: the writes made while a batch commits make the next batch.
        const writes: Promise<unknown>[] = [];
        const later: Promise<string>[] = [];
        for (const op of ops) {
          const key = `user/${prefix}${op.name}`;
          if (op.t === 'record')
            writes.push(
              store.record({
                key,
                kind: 'user',
                name: key.slice(5),
                origin: 'created',
                lastApplied: { v: op.v },
              }),
            );
          else if (op.t === 'forget') writes.push(store.forget(key));
          else if (op.t === 'good')
            writes.push(store.get(key) ? store.markGood(key, { v: op.v }) : Promise.resolve());
          else {
            const intent = store.intend({ key, op: 'create', spec: { v: 1 } });
            writes.push(intent);
            if (op.settle === 'now') writes.push(intent.then((i) => store.settle(i.id, 'done')));
            if (op.settle === 'later') later.push(intent.then((i) => i.id));
          }
        }
        await Promise.all(writes);
        for (const id of await Promise.all(later)) await store.settle(id, 'done');
        const again = createPostgresStore({
          client: second,
          clock: new TestClock(),
          instance: `j${run}`,
        });
        await again.open();
        const mine = (key: string) => key.startsWith(`user/${prefix}`);
        const rows = (s: typeof store) =>
          [...s.inventory().values()]
            .filter((e) => mine(e.key))
            .map((e) => [e.key, e.lastApplied, e.lastGood])
            .sort((x, y) => String(x[0]).localeCompare(String(y[0])));
        expect(rows(again)).toEqual(rows(store));
        const pending = (s: typeof store) =>
          s
            .pendingIntents()
            .filter((i) => mine(i.key))
            .map((i) => i.id)
            .sort();
        expect(pending(again)).toEqual(pending(store));
        // The next intent is numbered past every one written, settled or not.
        const next = await again.intend({ key: `user/${prefix}z`, op: 'create', spec: {} });
        expect(pending(store)).not.toContain(next.id);
        await store.close();
        await again.close();
        await first.end();
        await second.end();
      }),
      { numRuns: 40 },
    );
  });
});
