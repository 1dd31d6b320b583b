import { describe, expect, it } from 'vitest';
import type { InspectionEvent } from 'xstate';
import { resourceMachine } from '../src/actors/resource.machine.js';
import { createRuntime } from '../src/runtime/index.js';
import { startScripted, stopAfterEach, user } from './helpers/runtime-harness.js';

const track = stopAfterEach();

/** What an inspector saw of the resource machines: the events they took and the states they took them to. */
function seenBy(events: readonly InspectionEvent[]) {
  const ofMachine = events.filter((e) => (e.actorRef as { logic?: unknown }).logic === resourceMachine);
  return {
    actors: ofMachine.filter((e) => e.type === '@xstate.actor').length,
    events: ofMachine.flatMap((e) => (e.type === '@xstate.event' ? [e.event.type] : [])),
    states: ofMachine.flatMap((e) =>
      e.type === '@xstate.snapshot' ? [String((e.snapshot as { value?: unknown }).value)] : [],
    ),
  };
}

describe('the inspect option', () => {
  it('reaches every resource machine when it wakes: the inspector sees its events and snapshots', async () => {
    const inspected: InspectionEvent[] = [];
    const { clock, sys, rt } = await startScripted(track, { inspect: (e) => inspected.push(e) });
    await rt.start();
    rt.setDesired([user('alice', { role: 'admin' })]);
    await clock.advance(0);
    await rt.settled();
    const created = seenBy(inspected);
    // Woken once, by what the hibernated first look found: the object is missing.
    expect(created.actors).toBe(1);
    expect(created.events).toEqual(expect.arrayContaining(['ASSESSED', 'APPLIED', 'OBSERVED']));
    expect(created.states).toEqual(expect.arrayContaining(['applying', 'observing', 'synced']));
    expect(created.states.at(-1)).toBe('synced');

    // A tick that finds alice in sync does not wake her machine; a change does.
    inspected.length = 0;
    await clock.advance(40_000);
    expect(seenBy(inspected).actors).toBe(0);
    sys.world.set('alice', { role: 'guest' });
    rt.reconcile('user/alice');
    await clock.advance(0);
    await rt.settled();
    const repaired = seenBy(inspected);
    expect(repaired.actors).toBe(1);
    expect(repaired.events).toEqual(expect.arrayContaining(['ASSESSED', 'APPLIED']));
    expect(sys.world.get('alice')).toEqual({ role: 'admin' });
  });

  it('takes an observer as well as a function, and sees the machine of every resource', async () => {
    const synced = new Set<string>();
    const { clock, rt } = await startScripted(track, {
      inspect: {
        next: (e) => {
          if ((e.actorRef as { logic?: unknown }).logic !== resourceMachine || e.type !== '@xstate.snapshot')
            return;
          if ((e.snapshot as { value?: unknown }).value === 'synced') synced.add(e.actorRef.sessionId);
        },
      },
    });
    await rt.start();
    rt.setDesired([
      user('alice', { role: 'admin' }),
      user('bob', { role: 'dev' }),
      user('carol', { role: 'ops' }),
    ]);
    await clock.advance(0);
    await rt.settled();
    expect(synced.size).toBe(3);
  });

  it('refuses an inspector that is neither a function nor an observer', () => {
    expect(() => createRuntime({ providers: [], inspect: 42 as never })).toThrow(
      /Expected `inspect` to be a function or an observer/,
    );
  });
});
