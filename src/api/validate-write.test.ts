import { describe, expect, it } from 'vitest';
import { defineProvider } from '../contract/provider.js';
import { fileProvider } from '../providers/file.js';
import { providerSpecCheck } from './validate-write.js';

describe("the providers' checks of a spec", () => {
  it('names every problem of a file spec at its field, and leaves kinds without a check alone', () => {
    const check = providerSpecCheck([
      fileProvider({ root: '/tmp/nowhere' }),
      defineProvider({
        kind: 'plain',
        observe: async () => undefined,
        create: async () => ({}),
        update: async () => ({}),
        delete: async () => {},
      }),
    ]);
    const problems = check({ kind: 'files', name: 'x', spec: { path: '../up', type: 'link', mode: 644 } });
    expect(problems.map((p) => p.field)).toEqual(['spec.path', 'spec.type', 'spec.mode']);
    expect(problems[0]?.message).toContain('..');
    expect(
      check({ kind: 'files', name: 'ok', spec: { path: 'a/b.txt', content: 'hi', mode: '0600' } }),
    ).toEqual([]);
    expect(check({ kind: 'plain', name: 'x', spec: { anything: 1 } })).toEqual([]);
  });

  it('turns a check that throws into a problem, not a crash', () => {
    const check = providerSpecCheck([
      defineProvider({
        kind: 'odd',
        observe: async () => undefined,
        create: async () => ({}),
        update: async () => ({}),
        delete: async () => {},
        checkSpec: () => {
          throw new Error('boom');
        },
      }),
    ]);
    expect(check({ kind: 'odd', name: 'x', spec: {} })).toEqual([
      {
        code: 'invalid-spec',
        field: 'spec',
        message: "the provider's check of the spec failed: Error: boom",
      },
    ]);
  });
});
