import { PermanentError, RetryableError, UnreachableError } from '../contract/errors.js';
import type { FieldChange, Health, Observed, Provider, ProviderContext } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import type { Clock } from '../time/clock.js';
import { type NodeHealthWatch, watchNodes } from './node-heartbeats.js';
import type { AgentError } from './node-protocol.js';
import { processHealth } from './process.js';
import { processSpecProblems } from './process-spec.js';

/**
 * The `node` provider: things that run on other machines, each through the node agent
 * (`setpoint agent`) of the node its spec names. The orchestrator decides; the agent runs the
 * process provider's operation it is asked to and answers.
 *
 * ```yaml
 * providers:
 *   deployments:
 *     use: node
 *     options:
 *       nodes:
 *         en1: { url: "http://10.0.0.11:7400", token: "${env:EN1_TOKEN}" }
 * ```
 *
 * A resource's spec is a process spec (see the process provider) plus `node`, the node to run
 * it on; moving it to another node deletes it there first, then creates it on the new one.
 *
 * A node that does not answer (refused, reset, timed out) or whose heartbeats stopped is
 * unreachable: calls for its resources fail at once with `UnreachableError` (reason
 * `NodeUnreachable`), which does not count towards `maxRetries` and is tried again slowly.
 * Heartbeats go on; when one answers again (or answers from a new boot of the agent), the
 * provider's `watch` wakes every resource it placed on that node, so they are reconciled at
 * once: an agent that came back with nothing running gets it installed again.
 */
export interface NodeProviderOptions {
  readonly kind: string;
  readonly nodes: Readonly<Record<string, { readonly url: string; readonly token: string }>>;
  readonly clock: Clock;
  /** How often each node's heartbeat is asked for. Default 1000 ms. */
  readonly heartbeatMs?: number;
  /** Heartbeats missed in a row before a node is unreachable. Default 3. */
  readonly missedBeats?: number;
  /** Longest a call to an agent may take (a create waits for health). Default 120 s. */
  readonly callTimeoutMs?: number;
}

export interface NodeProvider extends Provider {
  /** Each node's reachability, for status pages. */
  nodes(): { node: string; reachable: boolean; bootId?: string; lastBeatAt?: number }[];
}

export function nodeProvider(options: NodeProviderOptions): NodeProvider {
  const { clock, kind } = options;
  const placed = new Map<string, Set<string>>(); // node → names placed there
  const heartbeats: NodeHealthWatch = watchNodes({
    nodes: options.nodes,
    clock,
    everyMs: options.heartbeatMs ?? 1000,
    missed: options.missedBeats ?? 3,
  });

  const place = (node: string, name: string) => {
    const names = placed.get(node) ?? new Set<string>();
    placed.set(node, names);
    names.add(name);
  };
  const nodeOf = (spec: Record<string, unknown> | undefined, name: string): string => {
    const node = spec?.node;
    if (typeof node !== 'string' || !(node in options.nodes)) {
      throw new PermanentError(
        `${kind}/${name} names node ${JSON.stringify(node)}, which is not one of this provider's nodes (${Object.keys(options.nodes).join(', ')}): add it under options.nodes or name another`,
      );
    }
    return node;
  };
  const agentSpec = (spec: Record<string, unknown>) => {
    const { node: _node, ...rest } = spec;
    return rest;
  };

  async function call(
    node: string,
    operation: string,
    body: unknown,
    ctx: ProviderContext,
  ): Promise<unknown> {
    const target = options.nodes[node] as { url: string; token: string };
    if (!heartbeats.reachable(node)) throw unreachable(node, 'its heartbeats stopped');
    const own = new AbortController();
    const limit = options.callTimeoutMs ?? 120_000;
    const timer = clock.setTimeout(() => own.abort(new Error(`no answer in ${limit} ms`)), limit);
    let response: Response;
    try {
      response = await fetch(`${target.url}/v1/${operation}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${target.token}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.any([ctx.signal, own.signal]),
      });
    } catch (error) {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      heartbeats.missed(node);
      throw unreachable(node, (error as Error)?.cause ? String((error as Error).cause) : String(error));
    } finally {
      clock.clearTimeout(timer);
    }
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.ok) return answer;
    throw remoteError(node, operation, response.status, answer.error as AgentError | undefined);
  }

  const unreachable = (node: string, why: string) =>
    new UnreachableError(`node ${node} is unreachable: ${why}`, {
      reason: 'NodeUnreachable',
      retryAfterMs: (options.heartbeatMs ?? 1000) * 30,
    });

  const provider: NodeProvider = {
    kind,
    compare: { ignore: ['status'], replaceOn: ['node'] },
    async observe(ref: Resource, ctx) {
      const node = nodeOf(ref.spec, ref.name);
      place(node, ref.name);
      const { observed } = (await call(
        node,
        'observe',
        { name: ref.name, spec: agentSpec(ref.spec) },
        ctx,
      )) as {
        observed: Observed | null;
      };
      return observed === null ? undefined : { node, ...observed };
    },
    async create(desired: Resource, ctx) {
      const node = nodeOf(desired.spec, desired.name);
      place(node, desired.name);
      return call(node, 'create', { name: desired.name, spec: agentSpec(desired.spec) }, ctx);
    },
    async update(desired: Resource, current: Observed, changes: readonly FieldChange[], ctx) {
      const node = nodeOf(desired.spec, desired.name);
      const body = {
        name: desired.name,
        spec: agentSpec(desired.spec),
        current: agentSpec(current),
        changes,
      };
      return call(node, 'update', body, ctx);
    },
    async delete(current: Observed, ref: Resource, ctx) {
      const node = nodeOf(current, ref.name);
      const body = { name: ref.name, spec: agentSpec(ref.spec), current: agentSpec(current) };
      await call(node, 'delete', body, ctx);
      placed.get(node)?.delete(ref.name);
    },
    async restart(current: Observed, desired: Resource, ctx) {
      const node = nodeOf(desired.spec, desired.name);
      const body = { name: desired.name, spec: agentSpec(desired.spec), current: agentSpec(current) };
      await call(node, 'restart', body, ctx);
    },
    health: (observed: Observed): Health => processHealth(observed),
    checkSpec(spec) {
      const { node, ...rest } = spec as Record<string, unknown>;
      const problems = processSpecProblems(rest);
      if (typeof node !== 'string' || node === '') {
        return [{ path: 'node', message: 'name the node to run it on' }, ...problems];
      }
      if (!(node in options.nodes)) {
        const known = Object.keys(options.nodes).join(', ');
        return [{ path: 'node', message: `${node} is not a node of this provider (${known})` }, ...problems];
      }
      return problems;
    },
    watch(wake) {
      // Gone: its resources show NodeUnreachable now. Back, or a new boot: reconciled at once.
      return heartbeats.start((node) => {
        const names = placed.get(node);
        if (names && names.size > 0) wake([...names]);
      });
    },
    nodes: () => heartbeats.states(),
  };
  return provider;
}

/** An agent's error as the matching setpoint error: permanent stays permanent. */
function remoteError(node: string, operation: string, status: number, error: AgentError | undefined): Error {
  const message = `node ${node}: ${operation} failed (${status}): ${error?.name ?? 'Error'}: ${error?.message ?? 'no detail'}`;
  if (error?.kind === 'permanent' || status === 400 || status === 422) return new PermanentError(message);
  if (error?.kind === 'retryable' || status === 503 || status === 429) {
    return new RetryableError(
      message,
      error?.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs },
    );
  }
  if (status === 401 || status === 403) return new PermanentError(`${message}: check the node's token`);
  return new Error(message);
}
