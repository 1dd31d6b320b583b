import { describe, expect, it } from 'vitest';
import { createActor } from 'xstate';
import type { Assessment } from './assess.js';
import { isResting, type ResourcePhase } from './phase.js';
import type { ResourceEvent } from './resource.events.js';
import { type ResourceShell, resourceMachine } from './resource.machine.js';

/**
 * The machine alone, driven by a fake shell: the shell's answers are set by hand, and every step
 * the machine asks for is written down. No provider, no runtime, no time.
 */
class FakeShell implements ResourceShell {
  assessment: Assessment = 'none';
  dirty = false;
  deleteRequested = false;
  permanentFailure = false;
  retriesExhausted = false;
  dependentsRemain = false;
  checksHealth = false;
  verifying = false;
  overdue = false;
  canRestart = true;
  throttled = false;
  /** What the next observation will be assessed as. */
  sees: Assessment = 'in-sync';
  readonly steps: string[] = [];

  startObserve = () => this.step('startObserve');
  recordObservation = () => {
    this.step('recordObservation');
    this.assessment = this.sees;
  };
  startApply = () => this.step('startApply');
  startRestart = () => this.step('startRestart');
  startDelete = () => this.step('startDelete');
  clearDirty = () => {
    this.step('clearDirty');
    this.dirty = false;
  };
  onSynced = () => this.step('onSynced');
  onUnhealthy = () => this.step('onUnhealthy');
  endUnhealthy = () => this.step('endUnhealthy');
  onThrottled = () => this.step('onThrottled');
  onProgressing = () => this.step('onProgressing');
  onFailed = () => this.step('onFailed');
  onDegraded = () => this.step('onDegraded');
  onOutOfSync = () => this.step('onOutOfSync');
  onWaiting = () => this.step('onWaiting');
  onDeleted = () => this.step('onDeleted');

  private step(name: string): void {
    this.steps.push(name);
  }
}

function machine(from?: ResourcePhase) {
  const shell = new FakeShell();
  const input = { self: shell as ResourceShell };
  const snapshot = from ? resourceMachine.resolveState({ value: from, context: input }) : undefined;
  const actor = createActor(resourceMachine, { input, ...(snapshot ? { snapshot } : {}) }).start();
  const send = (...events: ResourceEvent[]) => {
    for (const event of events) actor.send(event);
    return actor.getSnapshot().value as ResourcePhase;
  };
  return { shell, actor, send, taken: () => shell.steps.splice(0) };
}

const OBSERVED: ResourceEvent = { type: 'OBSERVED', observed: { role: 'admin' } };
const FAILED: ResourceEvent = { type: 'FAILED', error: new Error('503') };

describe('the resource machine, driven alone', () => {
  it('starts pending and observes on the first tick', () => {
    const m = machine();
    expect(m.actor.getSnapshot().value).toBe('pending');
    expect(m.send({ type: 'TICK' })).toBe('observing');
    expect(m.taken()).toEqual(['startObserve']);
  });

  it('applies what it found, then rests in sync', () => {
    const m = machine();
    m.shell.sees = 'changes';
    expect(m.send({ type: 'TICK' }, OBSERVED)).toBe('applying');
    expect(m.taken()).toEqual(['startObserve', 'recordObservation', 'startApply']);
    expect(m.send({ type: 'APPLIED' })).toBe('synced');
    expect(m.taken()).toEqual(['onSynced']);
  });

  const outcomes: [Assessment, ResourcePhase, string[]][] = [
    ['in-sync', 'synced', ['onSynced']],
    ['waiting', 'waiting', ['onWaiting']],
    ['report-only', 'outOfSync', ['onOutOfSync']],
    ['progressing', 'progressing', ['onProgressing']],
    ['unhealthy', 'restarting', ['onUnhealthy', 'startRestart']],
    ['changes', 'applying', ['startApply']],
  ];

  it.each(outcomes)('goes from an observation assessed %s to %s', (assessment, phase, steps) => {
    const m = machine();
    m.shell.sees = assessment;
    expect(m.send({ type: 'TICK' }, OBSERVED)).toBe(phase);
    expect(m.taken()).toEqual(['startObserve', 'recordObservation', ...steps]);
  });

  it('looks again soon after restarting an unhealthy object', () => {
    const m = machine();
    m.shell.sees = 'unhealthy';
    m.send({ type: 'TICK' }, OBSERVED);
    m.taken();
    expect(m.send({ type: 'APPLIED' })).toBe('progressing');
    expect(m.taken()).toEqual(['onProgressing']);
  });

  it('is Ready only once seen healthy: with health, the pass observes again to verify its change', () => {
    const m = machine();
    m.shell.checksHealth = true;
    m.shell.sees = 'changes';
    m.send({ type: 'TICK' }, OBSERVED);
    m.taken();
    expect(m.send({ type: 'APPLIED' })).toBe('observing');
    m.shell.verifying = true;
    m.shell.sees = 'progressing';
    expect(m.send(OBSERVED)).toBe('progressing');
    expect(m.taken()).toEqual(['startObserve', 'recordObservation', 'onProgressing']);
    m.shell.verifying = false;
    m.shell.sees = 'in-sync';
    expect(m.send({ type: 'TICK' }, OBSERVED)).toBe('synced');
  });

  it('never applies twice in one pass: a difference seen while verifying has not landed yet', () => {
    const m = machine();
    m.shell.checksHealth = true;
    m.shell.sees = 'changes';
    m.send({ type: 'TICK' }, OBSERVED, { type: 'APPLIED' });
    m.shell.verifying = true;
    expect(m.send(OBSERVED)).toBe('progressing');
  });

  it('reports an unhealthy object it cannot restart, and backs off', () => {
    const m = machine();
    m.shell.canRestart = false;
    m.shell.sees = 'unhealthy';
    expect(m.send({ type: 'TICK' }, OBSERVED)).toBe('backoff');
    expect(m.taken()).toEqual(['startObserve', 'recordObservation', 'onUnhealthy', 'endUnhealthy']);
  });

  it('degrades an unhealthy object out of attempts, and a change past its progress deadline', () => {
    const m = machine();
    m.shell.retriesExhausted = true;
    m.shell.sees = 'unhealthy';
    expect(m.send({ type: 'TICK' }, OBSERVED)).toBe('degraded');
    expect(m.taken()).toContain('onDegraded');

    const p = machine();
    p.shell.sees = 'progressing';
    p.shell.overdue = true;
    expect(p.send({ type: 'TICK' }, OBSERVED)).toBe('degraded');
    expect(p.taken()).toEqual([
      'startObserve',
      'recordObservation',
      'onUnhealthy',
      'endUnhealthy',
      'onDegraded',
    ]);
  });

  it('holds the apply of a hot loop until its throttle ends', () => {
    const m = machine();
    m.shell.sees = 'changes';
    m.shell.throttled = true;
    expect(m.send({ type: 'TICK' }, OBSERVED)).toBe('backoff');
    expect(m.taken()).toEqual(['startObserve', 'recordObservation', 'onThrottled']);
  });

  it('backs off after a failure, and is Degraded once retries are exhausted or the error is permanent', () => {
    const m = machine();
    expect(m.send({ type: 'TICK' }, FAILED)).toBe('backoff');
    expect(m.taken()).toEqual(['startObserve', 'onFailed']);
    m.shell.retriesExhausted = true;
    expect(m.send({ type: 'TICK' }, FAILED)).toBe('degraded');
    expect(m.taken()).toEqual(['startObserve', 'onFailed', 'onDegraded']);

    const p = machine();
    p.shell.permanentFailure = true;
    p.shell.sees = 'changes';
    expect(p.send({ type: 'TICK' }, OBSERVED, FAILED)).toBe('degraded');
  });

  it('plans again when the spec changed while the apply waited', () => {
    const m = machine();
    m.shell.sees = 'changes';
    m.send({ type: 'TICK' }, OBSERVED);
    m.taken();
    expect(m.send({ type: 'SUPERSEDED' })).toBe('observing');
    expect(m.taken()).toEqual(['startObserve']);
  });

  it('runs one more pass when triggers arrived while it was busy', () => {
    const m = machine();
    m.send({ type: 'TICK' });
    m.shell.dirty = true;
    expect(m.send(OBSERVED)).toBe('observing');
    expect(m.taken()).toEqual([
      'startObserve',
      'recordObservation',
      'onSynced',
      'clearDirty',
      'startObserve',
    ]);
  });

  it('deletes once its dependents are gone, and ends', () => {
    const m = machine('synced');
    m.shell.dependentsRemain = true;
    expect(m.send({ type: 'DELETE' })).toBe('deleteBackoff');
    expect(m.taken()).toEqual([]);
    m.shell.dependentsRemain = false;
    expect(m.send({ type: 'TICK' })).toBe('deleting');
    expect(m.send({ type: 'DELETED' })).toBe('deleted');
    expect(m.taken()).toEqual(['startDelete', 'onDeleted']);
    expect(m.actor.getSnapshot().status).toBe('done');
  });

  it('finishes the pass in flight before a delete that arrived meanwhile', () => {
    const m = machine();
    m.shell.sees = 'changes';
    m.send({ type: 'TICK' }, OBSERVED);
    m.shell.deleteRequested = true;
    expect(m.send({ type: 'DELETE' })).toBe('applying');
    expect(m.send({ type: 'APPLIED' })).toBe('deleting');
    expect(m.taken()).toEqual(['startObserve', 'recordObservation', 'startApply', 'onSynced', 'startDelete']);
  });

  it('retries a delete that failed from deleteBackoff', () => {
    const m = machine('synced');
    m.send({ type: 'DELETE' }, FAILED);
    expect(m.actor.getSnapshot().value).toBe('deleteBackoff');
    expect(m.send({ type: 'TICK' })).toBe('deleting');
    expect(m.taken()).toEqual(['startDelete', 'onFailed', 'startDelete']);
  });

  it('takes over an observation made while it hibernated (the fast path)', () => {
    const m = machine('synced');
    m.shell.assessment = 'changes';
    expect(m.send({ type: 'ASSESSED' })).toBe('applying');
    expect(m.taken()).toEqual(['startApply']);
  });

  it.each<ResourcePhase>(['waiting', 'outOfSync', 'progressing', 'backoff', 'degraded'])(
    'wakes in %s, where it hibernated, and observes on the next tick',
    (phase) => {
      const m = machine(phase);
      expect(m.taken()).toEqual([]); // resuming runs no entry action again
      expect(m.send({ type: 'TICK' })).toBe('observing');
    },
  );

  it('only ever rests in a resting phase, whatever the shell answers', () => {
    const busy: ResourcePhase[] = ['observing', 'applying', 'restarting', 'deleting'];
    for (const sees of outcomes.map(([a]) => a)) {
      const m = machine();
      m.shell.sees = sees;
      for (const event of [{ type: 'TICK' }, OBSERVED, { type: 'APPLIED' }] as ResourceEvent[]) {
        const phase = m.send(event);
        expect(isResting(phase) || busy.includes(phase)).toBe(true);
      }
    }
  });
});
