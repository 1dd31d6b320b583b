import type { Clock, TimerHandle } from '../time/clock.js';
import type { Heartbeat } from './node-protocol.js';

/**
 * Which nodes answer: each node's agent is asked for its heartbeat every `everyMs`; after
 * `missed` in a row go unanswered (or a call to it could not connect) it is unreachable, until
 * a heartbeat answers again. `onChange` is told when a node's heartbeats stop (its resources
 * should show it now, not at their next resync), when it answers after being unreachable, and
 * when it answers from a new boot (an agent that restarted, maybe with nothing running).
 *
 * Until `start`, every node counts as reachable (a one-shot `plan` or `apply` sends no
 * heartbeats, and each call finds out for itself).
 */
export interface NodeHealthWatch {
  reachable(node: string): boolean;
  /** A call to `node` could not connect: unreachable now, if heartbeats are running to see it back. */
  missed(node: string): void;
  /** Beat until the returned function is called; `onChange` hears a node go away and come back. */
  start(onChange: (node: string, reachable: boolean) => void): () => void;
  states(): { node: string; reachable: boolean; bootId?: string; lastBeatAt?: number }[];
}

interface NodeState {
  reachable: boolean;
  misses: number;
  bootId: string | undefined;
  lastBeatAt: number | undefined;
  inFlight: boolean;
}

export function watchNodes(options: {
  readonly nodes: Readonly<Record<string, { readonly url: string; readonly token: string }>>;
  readonly clock: Clock;
  readonly everyMs: number;
  readonly missed: number;
}): NodeHealthWatch {
  const { clock, everyMs } = options;
  const state = new Map<string, NodeState>(
    Object.keys(options.nodes).map((node) => [
      node,
      { reachable: true, misses: 0, bootId: undefined, lastBeatAt: undefined, inFlight: false },
    ]),
  );
  let running = false;
  let timer: TimerHandle | undefined;
  let change: (node: string, reachable: boolean) => void = () => {};

  async function beat(node: string, s: NodeState): Promise<void> {
    const target = options.nodes[node] as { url: string; token: string };
    const own = new AbortController();
    const limit = clock.setTimeout(() => own.abort(new Error('heartbeat timed out')), Math.max(everyMs, 250));
    s.inFlight = true;
    try {
      const response = await fetch(`${target.url}/v1/heartbeat`, {
        headers: { authorization: `Bearer ${target.token}` },
        signal: own.signal,
      });
      if (!response.ok) throw new Error(`heartbeat answered ${response.status}`);
      const hb = (await response.json()) as Heartbeat;
      const returned = !s.reachable || (s.bootId !== undefined && s.bootId !== hb.bootId);
      s.reachable = true;
      s.misses = 0;
      s.bootId = hb.bootId;
      s.lastBeatAt = clock.now();
      if (returned && running) change(node, true);
    } catch {
      s.misses++;
      if (s.misses >= options.missed && s.reachable) {
        s.reachable = false;
        if (running) change(node, false);
      }
    } finally {
      clock.clearTimeout(limit);
      s.inFlight = false;
    }
  }

  const round = () => {
    if (!running) return;
    for (const [node, s] of state) if (!s.inFlight) void beat(node, s);
    timer = clock.setTimeout(round, everyMs);
  };

  return {
    reachable: (node) => state.get(node)?.reachable ?? false,
    missed(node) {
      const s = state.get(node);
      if (s && running) {
        s.reachable = false;
        s.misses = Math.max(s.misses, options.missed);
      }
    },
    start(onChange) {
      change = onChange;
      running = true;
      round();
      return () => {
        running = false;
        if (timer !== undefined) clock.clearTimeout(timer);
      };
    },
    states: () =>
      [...state].map(([node, s]) => ({
        node,
        reachable: s.reachable,
        ...(s.bootId === undefined ? {} : { bootId: s.bootId }),
        ...(s.lastBeatAt === undefined ? {} : { lastBeatAt: s.lastBeatAt }),
      })),
  };
}
