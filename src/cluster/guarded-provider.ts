import type { Provider, ProviderContext } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';

/** A call was not made: this instance may not act on the key now. */
export class NotOwnedError extends Error {
  readonly kind = 'not-owned' as const;
  constructor(key: string) {
    super(
      `${key}: its shard is not held here (moved, or this instance is out of touch with the database): no call was made`,
    );
    this.name = 'NotOwnedError';
  }
}

/**
 * `provider`, calling through only while `mayAct` says this instance may act on the key (for
 * `list`, on any key). The last line of defence of a paused instance: woken after its shards
 * moved, an actor's timer may fire before the instance has noticed; its call is refused here,
 * before it reaches the world, and the instance stops the actor a moment later.
 */
export function guardProvider(provider: Provider, mayAct: (key: string | undefined) => boolean): Provider {
  const check = (ref: Resource) => {
    const key = `${ref.kind}/${ref.name}`;
    if (!mayAct(key)) throw new NotOwnedError(key);
  };
  const guarded: Provider = {
    kind: provider.kind,
    observe: async (ref, ctx) => {
      check(ref);
      return provider.observe(ref, ctx);
    },
    create: async (desired, ctx) => {
      check(desired);
      return provider.create(desired, ctx);
    },
    update: async (desired, current, changes, ctx) => {
      check(desired);
      return provider.update(desired, current, changes, ctx);
    },
    delete: async (current, ref, ctx) => {
      check(ref);
      return provider.delete(current, ref, ctx);
    },
    ...(provider.compare ? { compare: provider.compare } : {}),
    ...(provider.listKey ? { listKey: provider.listKey.bind(provider) } : {}),
    ...(provider.handleOf ? { handleOf: provider.handleOf.bind(provider) } : {}),
    ...(provider.health ? { health: provider.health.bind(provider) } : {}),
  };
  const { list, restart } = provider;
  if (list)
    guarded.list = async (ctx: ProviderContext) => {
      if (!mayAct(undefined)) throw new NotOwnedError(`${provider.kind}/*`);
      return list.call(provider, ctx);
    };
  if (restart)
    guarded.restart = async (current, desired, ctx) => {
      check(desired);
      return restart.call(provider, current, desired, ctx);
    };
  return guarded;
}
