import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSealer, parseStateKey, STATE_KEY_BYTES } from './seal.js';

const key = () => new Uint8Array(randomBytes(STATE_KEY_BYTES));
/** Secrets start with `§`, which nothing else here holds: any `§` written is a leak. */
const secret = fc.string({ maxLength: 24 }).map((s) => `§${s}`);

/** A spec with `secret` inside some of its strings, at any depth. */
function specWith(secret: string) {
  const leaf = fc.oneof(
    fc.string({ maxLength: 8 }),
    fc.tuple(fc.string({ maxLength: 6 }), fc.string({ maxLength: 6 })).map(([a, b]) => `${a}${secret}${b}`),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
  );
  const { tree } = fc.letrec((tie) => ({
    tree: fc.oneof({ depthSize: 'small' }, leaf, fc.array(tie('tree'), { maxLength: 3 }), tie('object')),
    object: fc.dictionary(fc.string({ maxLength: 6 }), tie('tree'), { maxKeys: 4 }),
  }));
  return fc.dictionary(fc.string({ maxLength: 6 }), tree, { minKeys: 1, maxKeys: 4 }) as fc.Arbitrary<
    Record<string, unknown>
  >;
}

describe('sealing secrets in specs', () => {
  it('writes no form of a secret, and opens back to the very spec', () => {
    fc.assert(
      fc.property(
        secret.chain((s) => fc.tuple(fc.constant(s), specWith(s))),
        ([value, spec]) => {
          const k = key();
          const sealed = createSealer(k, () => [value]).seal(spec);
          expect(JSON.stringify(sealed)).not.toContain('§');
          const reader = createSealer(k, () => []);
          const opened = reader.open(JSON.parse(JSON.stringify(sealed.spec)), sealed.seals);
          expect(opened).toEqual({ spec, complete: true });
          expect(reader.lost()).toBe(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('seals only strings that hold a secret, and leaves a spec without one as it is', () => {
    const sealer = createSealer(key(), () => ['hunter2']);
    const spec = Object.freeze({ url: 'postgres://app:hunter2@db/app', port: 5432, name: 'db' });
    const sealed = sealer.seal(spec);
    expect(sealed.spec).toEqual({ url: 'postgres://app:[redacted]@db/app', port: 5432, name: 'db' });
    expect(sealed.seals?.map((s) => s.at)).toEqual([['url']]);
    const plain = { name: 'db' };
    expect(sealer.seal(plain)).toEqual({ spec: plain });
    expect(sealer.seal(spec)).toBe(sealed); // a frozen spec is sealed once
  });

  it('does not open with another key: the string stays redacted and the seal is counted lost', () => {
    const sealed = createSealer(key(), () => ['hunter2']).seal({ password: 'hunter2' });
    const other = createSealer(key(), () => []);
    expect(other.open(sealed.spec, sealed.seals)).toEqual({
      spec: { password: '[redacted]' },
      complete: false,
    });
    expect(other.lost()).toBe(1);
    expect(createSealer(undefined, () => []).open(sealed.spec, sealed.seals)?.complete).toBe(false);
  });

  it('does not open a box that was tampered with', () => {
    const k = key();
    const sealed = createSealer(k, () => ['hunter2']).seal({ password: 'hunter2' });
    const box = Buffer.from(sealed.seals?.[0]?.box ?? '', 'base64');
    box[box.length - 1] = (box[box.length - 1] as number) ^ 1;
    const seals = [{ at: ['password'], box: box.toString('base64') }];
    expect(createSealer(k, () => []).open(sealed.spec, seals)?.complete).toBe(false);
  });

  it('remembers what it opened as a secret, and seals it again though no one names it now', () => {
    const k = key();
    const sealed = createSealer(k, () => ['old-value']).seal({ token: 'old-value' });
    const reader = createSealer(k, () => ['new-value']);
    const opened = reader.open(sealed.spec, sealed.seals);
    expect(reader.found()).toEqual(['old-value']);
    expect(JSON.stringify(reader.seal(opened?.spec ?? {}))).not.toContain('old-value');
  });

  it('refuses seals that are not seals, and places one named __proto__ as data', () => {
    const sealer = createSealer(key(), () => []);
    expect(sealer.open({}, 'nope')).toBeUndefined();
    expect(sealer.open({}, [{ at: [], box: 'x' }])).toBeUndefined();
    const k = key();
    const spec = JSON.parse('{"__proto__": {"polluted": "hunter2"}}') as Record<string, unknown>;
    const sealed = createSealer(k, () => ['hunter2']).seal(spec);
    const opened = createSealer(k, () => []).open(sealed.spec, sealed.seals);
    expect(JSON.stringify(opened?.spec)).toBe('{"__proto__":{"polluted":"hunter2"}}');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('reads a state key as 32 bytes of base64, and says what is wrong with anything else', () => {
    const text = randomBytes(32).toString('base64');
    expect(parseStateKey(`${text}\n`, 'K')).toHaveLength(32);
    expect(() => parseStateKey('c2hvcnQ=', 'SETPOINT_STATE_KEY')).toThrow(
      /SETPOINT_STATE_KEY to be a state key: 32 bytes in base64 .*openssl rand -base64 32/,
    );
    expect(() => parseStateKey(`${text.slice(0, -4)}!!!=`, 'K')).toThrow(/32 bytes/);
  });
});
