import { describe, expect, it } from 'vitest';
import { defineProvider, type ProviderContext } from '../contract/provider.js';
import { guardProvider, NotOwnedError } from './guarded-provider.js';

class Buckets {
  readonly kind = 'bucket';
  calls: string[] = [];
  #prefix = 'id-';
  async observe(ref: { name: string }) {
    this.calls.push(`observe ${ref.name}`);
    return { name: ref.name };
  }
  async create(d: { name: string }) {
    this.calls.push(`create ${d.name}`);
    return { id: `${this.#prefix}${d.name}` };
  }
  async update() {}
  async delete() {}
  async list() {
    this.calls.push('list');
    return new Map();
  }
  handleOf(object: unknown) {
    return (object as { id?: string }).id?.startsWith(this.#prefix)
      ? (object as { id: string }).id
      : undefined;
  }
}

const ctx = {} as ProviderContext;

describe('a guarded provider', () => {
  it('calls through for keys the instance may act on, keeping the provider’s own methods whole', async () => {
    const inner = new Buckets();
    const guarded = guardProvider(defineProvider(inner), () => true);
    const made = await guarded.create({ kind: 'bucket', name: 'logs', spec: {} }, ctx);
    expect(guarded.handleOf?.(made)).toBe('id-logs');
    await guarded.list?.(ctx);
    expect(inner.calls).toEqual(['create logs', 'list']);
  });

  it('refuses, before the provider sees it, a call for a key it may not act on', async () => {
    const inner = new Buckets();
    const guarded = guardProvider(defineProvider(inner), (key) => key === 'bucket/mine');
    await expect(guarded.observe({ kind: 'bucket', name: 'theirs', spec: {} }, ctx)).rejects.toBeInstanceOf(
      NotOwnedError,
    );
    await expect(guarded.create({ kind: 'bucket', name: 'theirs', spec: {} }, ctx)).rejects.toThrow(
      /bucket\/theirs: its shard is not held here/,
    );
    await expect(guarded.list?.(ctx)).rejects.toBeInstanceOf(NotOwnedError);
    await guarded.observe({ kind: 'bucket', name: 'mine', spec: {} }, ctx);
    expect(inner.calls).toEqual(['observe mine']);
  });
});
