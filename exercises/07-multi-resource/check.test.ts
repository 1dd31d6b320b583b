/**
 * The check for exercise 07. `npm run exercise -- 07` runs it against your `starter.ts`;
 * `SETPOINT_EXERCISE_IMPL=solution` runs it against `solution.ts`.
 *
 * Your resources run through the real runtime, on a `TestClock`, against a directory service
 * that enforces its own rules, as a real one would.
 */
import { describe, expect, it } from 'vitest';
import { type Clock, createRuntime, defineProvider, type Provider, TestClock } from '../../src/index.js';
import { seededRandom } from '../../src/testing.js';

type Impl = typeof import('./solution.js');
const { toResources }: Impl = await import(
  process.env.SETPOINT_EXERCISE_IMPL === 'solution' ? './solution.js' : './starter.js'
);
type Org = import('./solution.js').Org;

/**
 * A directory service with referential integrity: teams, members and channels, where every
 * change takes 100 ms and breaks no rule, or fails.
 */
function directory(clock: Clock) {
  const teams = new Map<string, Record<string, unknown>>();
  const members = new Map<string, { team: string; person: string }>();
  const channels = new Map<string, { team: string; owner: string }>();
  const slow = () => new Promise<void>((resolve) => clock.setTimeout(resolve, 100));
  const isMember = (team: string, person: string) => members.has(`${team}.${person}`);

  const kinds: Record<string, Map<string, Record<string, unknown>>> = {
    team: teams,
    member: members as Map<string, Record<string, unknown>>,
    channel: channels as Map<string, Record<string, unknown>>,
  };
  const check: Record<string, (name: string, spec: Record<string, unknown> | undefined) => void> = {
    team(name, spec) {
      if (spec) return;
      const left = [...members.values(), ...channels.values()].filter((x) => x.team === name).length;
      if (left > 0)
        throw new Error(`team ${name} cannot be deleted: ${left} members or channels are still in it`);
    },
    member(name, spec) {
      if (spec) {
        if (!teams.has(String(spec.team)))
          throw new Error(`member ${name}: team ${String(spec.team)} does not exist`);
        return;
      }
      const owned = [...channels.entries()]
        .filter(([, c]) => `${c.team}.${c.owner}` === name)
        .map(([c]) => c);
      if (owned.length > 0)
        throw new Error(`member ${name} cannot leave: still owns channel ${owned.join(', ')}`);
    },
    channel(name, spec) {
      if (!spec) return;
      if (!teams.has(String(spec.team)))
        throw new Error(`channel ${name}: team ${String(spec.team)} does not exist`);
      if (!isMember(String(spec.team), String(spec.owner))) {
        throw new Error(
          `channel ${name}: owner ${String(spec.owner)} is not a member of team ${String(spec.team)}`,
        );
      }
    },
  };

  const providers: Provider[] = Object.entries(kinds).map(([kind, store]) =>
    defineProvider({
      kind,
      async observe(ref) {
        const found = store.get(ref.name);
        return found ? { ...found } : undefined;
      },
      // Each request is checked when it arrives, and takes 100 ms to carry out.
      async create(desired) {
        check[kind]!(desired.name, desired.spec);
        await slow();
        store.set(desired.name, { ...desired.spec });
      },
      async update(desired) {
        check[kind]!(desired.name, desired.spec);
        await slow();
        store.set(desired.name, { ...desired.spec });
      },
      async delete(_current, ref) {
        check[kind]!(ref.name, undefined);
        await slow();
        store.delete(ref.name);
      },
    }),
  );
  const snapshot = () => ({
    teams: [...teams.keys()].sort(),
    members: [...members.keys()].sort(),
    channels: Object.fromEntries([...channels.entries()].sort().map(([k, v]) => [k, v.owner])),
  });
  return { providers, snapshot };
}

const before: Org = {
  teams: [
    { name: 'platform', budget: 10, members: ['ana', 'ben'], channels: [{ name: 'ops', owner: 'ana' }] },
    { name: 'design', budget: 5, members: ['cy'], channels: [{ name: 'ux', owner: 'cy' }] },
  ],
};
const after: Org = {
  teams: [
    {
      name: 'platform',
      budget: 12,
      members: ['ana', 'ben', 'dee'],
      channels: [{ name: 'ops', owner: 'dee' }],
    },
  ],
};

/** A runtime over a fresh directory, on a test clock, that records every refused call. */
async function start() {
  const clock = new TestClock();
  const world = directory(clock);
  const rt = createRuntime({ providers: world.providers, clock, random: seededRandom(7) });
  const failures: string[] = [];
  rt.on('action:failed', (e) => failures.push(`${e.key} ${e.operation}: ${e.error}`));
  await rt.start();
  /** Stop the runtime; operations in flight finish on the test clock, so keep it moving. */
  const stop = async () => {
    const stopped = rt.stop();
    await clock.advance(60_000);
    await stopped;
  };
  return { rt, clock, world, failures, stop };
}

const hint = (failures: string[]) =>
  `the directory refused ${failures.length} call(s), first: "${failures[0]}". ` +
  'The runtime did things in an order the directory does not allow (a member before its team, a team ' +
  'deleted before its members). Hint: dependsOn tells the runtime what to create first and what to delete last';

describe('toResources', () => {
  it('turns one team into a team, its members and its channels, with the keys the README gives', () => {
    const resources = toResources({
      teams: [{ name: 'qa', budget: 3, members: ['eve'], channels: [{ name: 'bugs', owner: 'eve' }] }],
    });
    expect(resources.map((r) => `${r.kind}/${r.name}`).sort()).toEqual([
      'channel/qa.bugs',
      'member/qa.eve',
      'team/qa',
    ]);
    const by = (key: string) => resources.find((r) => `${r.kind}/${r.name}` === key);
    expect(by('team/qa')?.spec).toEqual({ budget: 3 });
    expect(by('member/qa.eve')?.spec).toEqual({ team: 'qa', person: 'eve' });
    expect(by('channel/qa.bugs')?.spec).toEqual({ team: 'qa', owner: 'eve' });
  });

  it('says what each resource needs', () => {
    const resources = toResources({
      teams: [{ name: 'qa', budget: 3, members: ['eve'], channels: [{ name: 'bugs', owner: 'eve' }] }],
    });
    const needs = (key: string) =>
      [...(resources.find((r) => `${r.kind}/${r.name}` === key)?.dependsOn ?? [])].sort();
    expect(needs('team/qa'), 'a team needs nothing').toEqual([]);
    expect(needs('member/qa.eve'), 'a member needs its team').toEqual(['team/qa']);
    expect(needs('channel/qa.bugs'), 'a channel needs its team and its owner, as a member').toEqual([
      'member/qa.eve',
      'team/qa',
    ]);
  });

  it('builds the whole organisation in one go, without a single refused call', async () => {
    const { rt, clock, world, failures, stop } = await start();
    expect(rt.setDesired(toResources(before)).ok).toBe(true);
    await clock.advance(5000);
    await stop();
    expect(failures, hint(failures)).toEqual([]);
    expect(world.snapshot()).toEqual({
      teams: ['design', 'platform'],
      members: ['design.cy', 'platform.ana', 'platform.ben'],
      channels: { 'design.ux': 'cy', 'platform.ops': 'ana' },
    });
  });

  it('reorganises (a team dissolved, a channel handed over) without a single refused call', async () => {
    const { rt, clock, world, failures, stop } = await start();
    rt.setDesired(toResources(before));
    await clock.advance(5000);
    failures.length = 0;
    const accepted = rt.setDesired(toResources(after));
    expect(accepted.ok, 'the new organisation must be a valid desired set').toBe(true);
    await clock.advance(5000);
    await stop();
    expect(failures, hint(failures)).toEqual([]);
    expect(world.snapshot()).toEqual({
      teams: ['platform'],
      members: ['platform.ana', 'platform.ben', 'platform.dee'],
      channels: { 'platform.ops': 'dee' },
    });
  });

  it('lets the runtime reject a channel whose owner is not in the team, before anything runs', async () => {
    const { rt, stop } = await start();
    const broken: Org = {
      teams: [{ name: 'ops', budget: 1, members: ['fay'], channels: [{ name: 'pager', owner: 'gus' }] }],
    };
    const result = rt.setDesired(toResources(broken));
    await stop();
    expect(
      result.ok ? [] : result.errors.map((e) => e.code),
      'gus is not a member of ops: the channel depends on a member that is not declared',
    ).toEqual(['missing-dependency']);
  });
});
