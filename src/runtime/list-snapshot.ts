import type { PassTracing } from '../actors/tracing.js';
import type { Observed, Provider, ProviderContext } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';

/**
 * One `list` of a provider, shared by the first passes of many resources added at once, as an
 * informer's cache is: instead of one `observe` per new resource (each finding, most often,
 * nothing), one `list` says what exists, and each first pass reads its answer from it.
 *
 * The list is made by the first pass that asks, under that pass's deadline. If it fails (or
 * returns something that is not a `Map`), every first pass that relied on it fails with it and
 * backs off; their retries observe on their own. An answer can be a little stale: an object created by someone else
 * between the list and the create makes the create fail, and the retry observes and adopts it.
 */
export class ListSnapshot {
  #listing: Promise<ReadonlyMap<string, Observed>> | undefined = undefined;

  constructor(
    private readonly provider: Provider,
    /** With tracing on: the list is a provider call of the pass that asked for it first. */
    private readonly tracing?: PassTracing | undefined,
  ) {}

  /**
   * What the list says of `ref` (filed under its name, or the provider's `listKey`). A list
   * that fails fails this observation too. A resource the provider cannot file is observed.
   */
  async observe(ref: Resource, ctx: ProviderContext): Promise<Observed | undefined> {
    const provider = this.provider;
    const key = provider.listKey ? provider.listKey(ref) : ref.name;
    if (key === undefined) return provider.observe(ref, ctx);
    this.#listing ??= this.tracing
      ? this.tracing.call(ref.name, 'list', () => this.#list(ctx))
      : this.#list(ctx);
    return (await this.#listing).get(key);
  }

  async #list(ctx: ProviderContext): Promise<ReadonlyMap<string, Observed>> {
    const listed = await this.provider.list!(ctx);
    if (!(listed instanceof Map)) {
      throw new TypeError(`list of \`${this.provider.kind}\` returned something other than a Map`);
    }
    return listed;
  }
}
