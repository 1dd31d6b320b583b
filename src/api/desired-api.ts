import type { Provider } from '../contract/provider.js';
import { keyOf, type Resource } from '../contract/resource.js';
import type { Change, SpecStore, SpecView, Write } from '../store/desired/spec-store.js';
import { apiError } from './api-error.js';
import { mergePatch } from './merge-patch.js';
import { type ApiObject, type StoredObject, statusWriteSchema, toApiObject, toDocument } from './objects.js';
import { parseSelector } from './selector.js';
import {
  checkChange,
  parseDocument,
  providerSpecCheck,
  resourceFor,
  type SpecCheck,
  schemaProblem,
} from './validate-write.js';
import { expected, ownedBy, publishSet } from './write-rules.js';

export interface DesiredApiOptions {
  readonly store: SpecStore;
  /**
   * The providers that will run what is stored: their kinds are the kinds accepted (another is
   * refused with 422), and their `checkSpec` checks each spec.
   */
  readonly providers?: readonly Provider[];
  /** The kinds accepted, when not (only) those of `providers`. */
  readonly kinds?: ReadonlySet<string> | (() => ReadonlySet<string>);
  /** A check of a spec beside the providers' own. */
  readonly checkSpec?: SpecCheck;
  /** The source this API writes as. Default `api`. */
  readonly source?: string;
  /**
   * What another source declares for `key`, if one does: when this API removes a key that
   * source claims too, its version takes the key over in the same write (no delete between).
   */
  readonly claimant?: (key: string) => { readonly source: string; readonly resource: Resource } | undefined;
}

/** A write may name the resource version it was based on; a different one stored is a 409. */
export interface WriteOptions {
  readonly resourceVersion?: number;
}

export interface ListOptions {
  readonly kind?: string;
  /** A label selector: `team=payments,tier!=db`. */
  readonly labelSelector?: string;
}

/** What a publication of a source's whole set did. */
export interface PublishResult {
  readonly added: number;
  readonly changed: number;
  readonly removed: number;
  /** Keys the source declares that another source owns: left as that source has them. */
  readonly conflicts: readonly { readonly key: string; readonly owner: string }[];
}

/**
 * The desired state as an API: read, create, replace, patch, delete and list resources, and
 * write their status, over a {@link SpecStore}. The same operations serve HTTP and programs.
 *
 * - Every write names, or may name, the `resourceVersion` it was based on; another one stored
 *   is a `Conflict` (409) that names the current version: read again and retry.
 * - A write is checked before it is stored by the rules of `setDesired` (known kind, spec,
 *   dependencies declared, no cycle); a refusal (`Invalid`, 422) lists every problem and stores
 *   nothing.
 * - Each key belongs to one source. A write for a key another source declares is a
 *   `SourceConflict` (409); a publication of a source's set leaves such keys alone and reports
 *   them, and the API's object shows the claim under `conflicts`.
 *
 * Every refusal is an `ApiError` (see `api-error.ts`).
 */
export function createDesiredApi(options: DesiredApiOptions) {
  const { store } = options;
  const source = options.source ?? 'api';
  const providerKinds = new Set((options.providers ?? []).map((p) => p.kind));
  const kinds = () => {
    const given = typeof options.kinds === 'function' ? options.kinds() : options.kinds;
    return given === undefined
      ? providerKinds
      : providerKinds.size === 0
        ? given
        : new Set([...given, ...providerKinds]);
  };
  const providerCheck = providerSpecCheck(options.providers ?? []);
  const given = options.checkSpec;
  const checkSpec: SpecCheck =
    given === undefined ? providerCheck : (r) => [...providerCheck(r), ...given(r)];
  /** By source: the keys it declared at its last publication that another source owns. */
  const claims = new Map<string, ReadonlySet<string>>();

  const render = (stored: StoredObject): ApiObject => {
    const object = toApiObject(stored);
    const key = keyOf(stored.resource);
    const claimed = [...claims].filter(([, keys]) => keys.has(key)).map(([s]) => s);
    if (claimed.length === 0) return object;
    object.conflicts = claimed.map((s) => ({
      source: s,
      message: `the source ${s} declares it too: ${stored.source} owns it, and ${s}'s version is not applied`,
    }));
    return object;
  };

  const owned = (key: string, stored: StoredObject | undefined) => ownedBy(source, key, stored);

  /** Store `resource` after checking it; `mode` says what may already be there. */
  async function put(
    resource: Resource,
    labels: Record<string, string>,
    mode: 'create' | 'replace' | 'upsert',
    version: number | undefined,
  ): Promise<{ object: ApiObject; created: boolean }> {
    const key = keyOf(resource);
    const { result, changes } = await store.transact(async (view) => {
      const stored = await view.get(key);
      if (mode === 'create' && stored !== undefined) {
        if (stored.source !== source) owned(key, stored);
        throw apiError('AlreadyExists', `${key} already exists: replace or patch it instead`, {
          field: 'name',
        });
      }
      if (mode === 'replace' && stored === undefined) throw apiError('NotFound', `${key} does not exist`);
      owned(key, stored);
      expected(key, stored, version);
      checkChange({ set: [resource] }, await view.rulesView([resource], []), kinds(), checkSpec);
      return { writes: [{ op: 'put', resource, labels, source }] as Write[], result: stored };
    });
    const now = changes[0]?.object ?? result;
    if (now === undefined) throw new Error(`${key}: the write left nothing stored`);
    return { object: render(now), created: result === undefined };
  }

  return {
    source,

    async get(key: string): Promise<ApiObject> {
      const stored = await store.get(key);
      if (stored === undefined) throw apiError('NotFound', `${key} does not exist`);
      return render(stored);
    },

    async list(list: ListOptions = {}): Promise<{ resourceVersion: number; items: ApiObject[] }> {
      const selector = parseSelector(list.labelSelector);
      const { items, resourceVersion } = await store.list(list.kind);
      return { resourceVersion, items: items.filter((o) => selector(o.labels)).map(render) };
    },

    /** Create a resource from a document; `AlreadyExists` when its key is taken. */
    async create(body: unknown): Promise<ApiObject> {
      const doc = parseDocument(body);
      const { resource, labels } = resourceFor(doc);
      return (await put(resource, labels, 'create', undefined)).object;
    },

    /**
     * Replace the resource at `key` with a document (created when absent and no version is
     * named). The version: `options.resourceVersion`, else the body's.
     */
    async replace(key: string, body: unknown, write: WriteOptions = {}) {
      const doc = parseDocument(body);
      const { resource, labels } = resourceFor(doc, key);
      const version = write.resourceVersion ?? doc.resourceVersion;
      return put(resource, labels, version === undefined ? 'upsert' : 'replace', version);
    },

    /** Apply a JSON merge patch (RFC 7386) to the resource at `key`. */
    async patch(key: string, patch: unknown, write: WriteOptions = {}): Promise<ApiObject> {
      if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
        throw apiError('BadRequest', 'a merge patch is a JSON object, like {"spec": {"content": "hi"}}');
      }
      const stored = await store.get(key);
      if (stored === undefined) throw apiError('NotFound', `${key} does not exist`);
      const patchVersion = (patch as { resourceVersion?: unknown }).resourceVersion;
      const version = write.resourceVersion ?? (typeof patchVersion === 'number' ? patchVersion : undefined);
      const merged = mergePatch(toDocument(stored), patch) as Record<string, unknown>;
      delete merged.resourceVersion;
      const doc = parseDocument(merged);
      const { resource, labels } = resourceFor(doc, key);
      // Patched against what was read: a write in between is a conflict unless the patch says otherwise.
      return (await put(resource, labels, 'replace', version ?? stored.resourceVersion)).object;
    },

    /**
     * Take the resource at `key` out of the desired set; resolves with it as it was last, at
     * the removal's version. When another source declares the key too, its version takes over.
     */
    async remove(key: string, write: WriteOptions = {}): Promise<ApiObject> {
      const { changes, result } = await store.transact(async (view) => {
        const stored = await view.get(key);
        if (stored === undefined) throw apiError('NotFound', `${key} does not exist`);
        owned(key, stored);
        expected(key, stored, write.resourceVersion);
        const heir = [...claims].some(([, keys]) => keys.has(key)) ? options.claimant?.(key) : undefined;
        if (heir !== undefined) {
          const { resource } = heir;
          checkChange({ set: [resource] }, await view.rulesView([resource], []), kinds(), checkSpec);
          const writes: Write[] = [{ op: 'put', resource, labels: {}, source: heir.source }];
          return { writes, result: stored };
        }
        checkChange({ remove: [key] }, await view.rulesView([], [key]), kinds(), checkSpec);
        return { writes: [{ op: 'delete', key }] as Write[], result: stored };
      });
      const taken = changes[0]?.type === 'MODIFIED' ? changes[0].object.source : undefined;
      if (taken !== undefined)
        claims.set(taken, new Set([...(claims.get(taken) ?? [])].filter((k) => k !== key)));
      // As it was last, at the version of its removal (or as the source that took it over has it).
      return render(changes[0]?.object ?? result);
    },

    /** Write the status subresource of `key` (the generation does not change). */
    async writeStatus(key: string, body: unknown, write: WriteOptions = {}): Promise<ApiObject> {
      const parsed = statusWriteSchema.safeParse(body);
      if (!parsed.success) {
        const problems = parsed.error.issues.map(schemaProblem);
        throw apiError('Invalid', `the status write is invalid: ${problems[0]?.message}`, {
          field: problems[0]?.field,
          problems,
        });
      }
      const { status, observedGeneration } = parsed.data;
      const version = write.resourceVersion ?? parsed.data.resourceVersion;
      const { changes, result } = await store.transact(async (view) => {
        const stored = await view.get(key);
        if (stored === undefined) throw apiError('NotFound', `${key} does not exist`);
        expected(key, stored, version);
        if (observedGeneration !== undefined && observedGeneration > stored.generation) {
          throw apiError(
            'Invalid',
            `observedGeneration ${observedGeneration} is past the generation ${stored.generation}`,
            { field: 'observedGeneration' },
          );
        }
        return {
          writes: [
            {
              op: 'status',
              key,
              status,
              ...(observedGeneration === undefined ? {} : { observedGeneration }),
            },
          ] as Write[],
          result: stored,
        };
      });
      return render(changes[0]?.object ?? result);
    },

    /**
     * Make the objects of `from` exactly `resources` (a config's files, another program's set):
     * add, replace, remove; keys another source owns are left alone and reported. Checked as
     * one change by the same rules; a refusal (422) stores nothing.
     */
    async publish(from: string, resources: readonly Resource[]): Promise<PublishResult> {
      const { result } = await store
        .transact((view) =>
          publishSet(view, from, resources, (change, rules) =>
            checkChange(change, rules, kinds(), checkSpec),
          ),
        )
        .then(({ changes, result: conflicts }) => ({ result: { changes, conflicts } }));
      claims.set(from, new Set(result.conflicts.map((c) => c.key)));
      return {
        added: count(result.changes, 'ADDED'),
        changed: count(result.changes, 'MODIFIED'),
        removed: count(result.changes, 'DELETED'),
        conflicts: result.conflicts,
      };
    },

    /**
     * Note that `from` declares `keys`, which other sources own (a publication made elsewhere
     * found them so): the objects show the claim under `conflicts`.
     */
    noteClaims(from: string, keys: readonly string[]): void {
      claims.set(from, new Set(keys));
    },

    /** The API's view of a stored object (with the claims of other sources). */
    render,
  };
}

export type DesiredApi = ReturnType<typeof createDesiredApi>;

const count = (changes: readonly Change[], type: Change['type']) =>
  changes.filter((c) => c.type === type).length;

export type { SpecView };
