import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { type AgentServer, createAgentServer } from '../src/agent/agent-server.js';
import { PermanentError, UnreachableError } from '../src/contract/errors.js';
import type { ProviderContext } from '../src/contract/provider.js';
import { memoryProvider } from '../src/providers/memory.js';
import { nodeProvider } from '../src/providers/node.js';
import { systemClock } from '../src/time/clock.js';
import { seededRandom } from '../src/time/random.js';
import { until } from './helpers/poll.js';

/**
 * The node provider against real agents on 127.0.0.1 (each serving a memory provider here;
 * the process provider in the end-to-end tests): calls cross real HTTP, a stopped agent is
 * unreachable, and a returning one wakes what was placed on it.
 */
const log = pino({ level: 'silent' });
const servers: AgentServer[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await s.close();
});

const ctx = (): ProviderContext => ({ signal: new AbortController().signal, clock: systemClock, log });

async function agent(node: string, port = 0) {
  const provider = memoryProvider({ kind: 'deployments', clock: systemClock, random: seededRandom(1) });
  const server = await createAgentServer({
    node,
    provider,
    token: 'secret',
    clock: systemClock,
    logger: log,
    port,
  });
  servers.push(server);
  return { server, provider };
}

describe('nodeProvider', () => {
  it('runs each operation on the agent of the node its spec names', async () => {
    const en1 = await agent('en1');
    const en2 = await agent('en2');
    const p = nodeProvider({
      kind: 'deployments',
      clock: systemClock,
      nodes: { en1: { url: en1.server.url, token: 'secret' }, en2: { url: en2.server.url, token: 'secret' } },
    });
    const web = { kind: 'deployments', name: 'web', spec: { node: 'en2', version: '1' } };
    expect(await p.observe(web, ctx())).toBeUndefined();
    await p.create(web, ctx());
    expect(await p.observe(web, ctx())).toEqual({ node: 'en2', version: '1' });
    expect(en1.provider.store.size).toBe(0);
    expect(en2.provider.store.get('web')).toEqual({ version: '1' });
    await p.update({ ...web, spec: { node: 'en2', version: '2' } }, { node: 'en2', version: '1' }, [], ctx());
    expect(en2.provider.store.get('web')).toEqual({ version: '2' });
    await p.delete({ node: 'en2', version: '2' }, web, ctx());
    expect(en2.provider.store.size).toBe(0);
    expect(p.compare?.replaceOn).toEqual(['node']);
  });

  it('refuses a wrong token and an unknown node as permanent, naming the fix', async () => {
    const en1 = await agent('en1');
    const p = nodeProvider({
      kind: 'deployments',
      clock: systemClock,
      nodes: { en1: { url: en1.server.url, token: 'nope' } },
    });
    const web = { kind: 'deployments', name: 'web', spec: { node: 'en1', version: '1' } };
    const wrongToken = await p.observe(web, ctx()).catch((e: unknown) => e);
    expect(PermanentError.is(wrongToken) && String((wrongToken as Error).message)).toMatch(/401.*token/);
    const elsewhere = await p.observe({ ...web, spec: { node: 'en9' } }, ctx()).catch((e: unknown) => e);
    expect(PermanentError.is(elsewhere) && (elsewhere as Error).message).toMatch(/en9.*options\.nodes/);
    // Every problem at once: the node, and the process spec's own (no command, no version).
    const problems = p.checkSpec?.({ node: 'en9' }) ?? [];
    expect(problems[0]).toEqual({ path: 'node', message: 'en9 is not a node of this provider (en1)' });
    expect(problems.map((q) => q.path)).toEqual(expect.arrayContaining(['command', 'version']));
    expect(p.checkSpec?.({ node: 'en1', command: 'node', version: '1' })).toEqual([]);
  });

  it('calls a stopped agent unreachable, and wakes its resources when it answers again from a new boot', async () => {
    const first = await agent('en1');
    const port = Number(new URL(first.server.url).port);
    const p = nodeProvider({
      kind: 'deployments',
      clock: systemClock,
      heartbeatMs: 20,
      missedBeats: 2,
      nodes: { en1: { url: first.server.url, token: 'secret' } },
    });
    const woken: string[][] = [];
    const stop = p.watch?.((names) => woken.push([...names]));
    try {
      const web = { kind: 'deployments', name: 'web', spec: { node: 'en1', version: '1' } };
      await p.create(web, ctx());
      await until('it holds', () => p.nodes()[0]?.bootId === first.server.bootId);
      await first.server.close();
      servers.splice(servers.indexOf(first.server), 1);
      await until('it holds', () => p.nodes()[0]?.reachable === false);
      const away = await p.observe(web, ctx()).catch((e: unknown) => e);
      expect(UnreachableError.is(away)).toBe(true);
      expect((away as UnreachableError).reason).toBe('NodeUnreachable');
      // Gone: what was placed there is woken once, to show it now.
      expect(woken).toEqual([['web']]);
      // Back on the same address, a new boot with nothing running.
      const second = await agent('en1', port);
      await until('it holds', () => woken.length > 1);
      expect(woken).toEqual([['web'], ['web']]);
      expect(p.nodes()[0]).toMatchObject({ reachable: true, bootId: second.server.bootId });
      expect(await p.observe(web, ctx())).toBeUndefined();
    } finally {
      stop?.();
    }
  });
});
