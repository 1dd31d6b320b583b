import { resolve } from 'node:path';
import { PermanentError } from '../contract/errors.js';
import type { FieldChange, Health, Observed, Provider, ProviderContext } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import { canonicalJson } from '../diff/canonical-json.js';
import { checkString, isRecord, optionError, rejectUnknownKeys } from './options.js';
import { isRunning } from './process-control.js';
import { type ProcessState, type ProcessStatus, processInstances } from './process-instances.js';
import {
  type Instance,
  type ProcessRecord,
  readRecord,
  readRecords,
  recordOf,
  removeRecord,
  writeRecord,
} from './process-records.js';
import { fixedPorts, type ProcessSpec, processSpecProblems } from './process-spec.js';

export type { ProcessState, ProcessStatus };

/**
 * Long-running OS processes, one per resource (Linux: it reads `/proc`).
 *
 * ```yaml
 * kind: services
 * name: web
 * spec: { command: /usr/bin/node, args: [server.js], version: "1.2.0", port: auto,
 *         health: { http: { path: /healthz } } }
 * ```
 *
 * - **create** starts the program detached (its own process group; stdout and stderr appended
 *   to `<dir>/<name>.log`), so it outlives setpoint, records it in `<dir>/<name>.json` (pid and
 *   start time), and waits until it is healthy or its `startPeriod` is over (then it is
 *   stopped, and the create fails). A record naming a live process is adopted, never started
 *   twice: a restarted setpoint finds its processes this way.
 * - **observe** reads the record and checks the process (alive, same start time, probe):
 *   the spec it was started with plus a `status` (`installing`, `installed`, `failed`) that is
 *   never a difference. It changes nothing.
 * - **update** starts the new spec beside the old one, waits until it is healthy, then stops the
 *   old one: no gap. A new one that never gets healthy is stopped and the old one kept. When
 *   the two would need the same fixed port, the old one is stopped first: a gap.
 * - **restart** stops it and starts it again; **delete** sends SIGTERM to its process group,
 *   SIGKILL after `stopGrace`, waits until it is gone, and removes the record.
 */
export interface ProcessProviderOptions {
  /** Where the records and logs live. Relative to the working directory. */
  readonly dir: string;
  /** What a spec's relative `cwd` is relative to. Default: the working directory. */
  readonly root?: string;
  /** Default `'processes'`. */
  readonly kind?: string;
}

export interface ProcessProvider extends Provider<ProcessSpec> {
  /** The absolute directory of the records and logs. */
  readonly dir: string;
  /** The absolute directory a relative `cwd` is resolved against. */
  readonly root: string;
  /** Resolves with what `observe` would then say. */
  create(desired: Resource<ProcessSpec>, ctx: ProviderContext): Promise<Observed>;
  /** Resolves with what `observe` would then say. */
  update(
    desired: Resource<ProcessSpec>,
    current: Observed,
    changes: readonly FieldChange[],
    ctx: ProviderContext,
  ): Promise<Observed>;
  list(ctx: ProviderContext): Promise<Map<string, Observed>>;
}

/** The health of an observed process: installed is healthy, installing progressing. */
export function processHealth(observed: Observed): Health {
  const status = observed.status;
  const state = isRecord(status) ? status.state : undefined;
  if (state === 'installed') return 'healthy';
  if (state === 'installing') return 'progressing';
  return 'unhealthy';
}

export function processProvider(options: ProcessProviderOptions): ProcessProvider {
  if (!isRecord(options)) throw optionError('options', options, "an object like { dir: './run' }");
  rejectUnknownKeys(options, ['dir', 'root', 'kind'], 'options');
  const dir = resolve(checkString(options.dir, 'options.dir', "'./run'"));
  const root = resolve(
    options.root === undefined ? '.' : checkString(options.root, 'options.root', "'./apps'"),
  );
  const kind =
    options.kind === undefined ? 'processes' : checkString(options.kind, 'options.kind', "'services'");
  const { start, settle, stop, describe } = processInstances(dir, root, kind);

  /**
   * Start `spec` as the resource's only process, record it, and wait until it is healthy. If it
   * is not, stop it and remove the record, then throw; an abort leaves it running and recorded.
   */
  async function startRecorded(
    name: string,
    spec: ProcessSpec,
    ctx: ProviderContext,
  ): Promise<ProcessRecord> {
    const record = recordOf(name, await start(name, spec, ctx));
    await writeRecord(dir, record);
    try {
      await settle(name, record, ctx);
    } catch (error) {
      if (!ctx.signal.aborted) {
        await stop(record, ctx);
        await removeRecord(dir, name);
      }
      throw error;
    }
    return record;
  }

  /**
   * The record with the processes of a cut-short update stopped, except one running `keep`
   * (which the update can go on with). Returns that one too.
   */
  async function tidy(record: ProcessRecord, ctx: ProviderContext, keep?: ProcessSpec) {
    let resumed: Instance | undefined;
    for (const other of record.others) {
      if (!resumed && keep && sameSpec(other.spec, keep) && (await isRunning(other))) resumed = other;
      else await stop(other, ctx);
    }
    const tidied = recordOf(record.name, record, resumed ? [resumed] : []);
    if (record.others.length > 0) await writeRecord(dir, tidied);
    return { record: tidied, resumed };
  }

  async function create(desired: Resource<ProcessSpec>, ctx: ProviderContext): Promise<Observed> {
    const spec = specOf(desired);
    const found = await readRecord(dir, desired.name);
    if (found) {
      const { record } = await tidy(found, ctx);
      if (await isRunning(record)) {
        // Ours already (a create that was cut short, a restarted setpoint): never a second copy.
        await settle(desired.name, record, ctx);
        return describe(record, ctx);
      }
      await stop(record, ctx); // what its process group may have left behind
    }
    return describe(await startRecorded(desired.name, spec, ctx), ctx);
  }

  async function update(desired: Resource<ProcessSpec>, ctx: ProviderContext): Promise<Observed> {
    const spec = specOf(desired);
    const found = await readRecord(dir, desired.name);
    if (!found) return create(desired, ctx);
    const { record, resumed } = await tidy(found, ctx, spec);
    const clash = fixedPorts(spec).some((p) => p === record.port || fixedPorts(record.spec).includes(p));
    if (!(await isRunning(record)) || clash) {
      // Nothing to keep serving, or the two cannot run side by side: stop, then start.
      for (const instance of [record, ...record.others]) await stop(instance, ctx);
      return describe(await startRecorded(desired.name, spec, ctx), ctx);
    }
    const next = resumed ?? (await start(desired.name, spec, ctx));
    await writeRecord(dir, recordOf(desired.name, record, [next]));
    try {
      await settle(desired.name, next, ctx);
    } catch (error) {
      if (!ctx.signal.aborted) {
        await stop(next, ctx);
        await writeRecord(dir, recordOf(desired.name, record));
      }
      throw error;
    }
    // The new one serves: record it (the old one still to stop, should this be cut short).
    await writeRecord(dir, recordOf(desired.name, next, [record]));
    await stop(record, ctx);
    const done = recordOf(desired.name, next);
    await writeRecord(dir, done);
    ctx.log.info({ pid: next.pid, replaced: record.pid }, 'process updated');
    return describe(done, ctx);
  }

  const provider: ProcessProvider = {
    kind,
    dir,
    root,
    compare: { ignore: ['status'] },
    checkSpec: (spec) => processSpecProblems(spec),
    health: (observed) => processHealth(observed),

    async observe(ref, ctx) {
      const record = await readRecord(dir, ref.name);
      return record && describe(record, ctx);
    },
    create,
    update: (desired, _current, _changes, ctx) => update(desired, ctx),

    async restart(_current, desired, ctx) {
      const spec = specOf(desired);
      const found = await readRecord(dir, desired.name);
      if (found) await stop((await tidy(found, ctx)).record, ctx);
      await startRecorded(desired.name, spec, ctx);
    },

    async delete(_current, ref, ctx) {
      const record = await readRecord(dir, ref.name);
      if (!record) return;
      for (const instance of [...record.others, record]) await stop(instance, ctx);
      await removeRecord(dir, ref.name);
      ctx.log.info({ pid: record.pid }, 'process stopped');
    },

    async list(ctx) {
      const found = new Map<string, Observed>();
      for (const record of await readRecords(dir)) found.set(record.name, await describe(record, ctx));
      return found;
    },
  };
  return provider;
}

function sameSpec(a: ProcessSpec, b: ProcessSpec): boolean {
  return canonicalJson(a) === canonicalJson(b);
}

/** The spec, checked; a bad spec will not get better by retrying, so it is a `PermanentError`. */
function specOf(resource: Resource<ProcessSpec>): ProcessSpec {
  const problem = processSpecProblems(resource.spec)[0];
  if (problem !== undefined)
    throw new PermanentError(`${resource.kind}/${resource.name}: ${problem.message}`);
  return resource.spec;
}
