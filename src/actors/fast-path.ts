import type { Observed } from '../contract/provider.js';
import { F_DELETE, F_DIRTY, F_FAST, F_UNVERIFIED } from './flags.js';
import { markSynced, recordObservation } from './pass-steps.js';
import { badObservation, listedWork, observeWork } from './provider-calls.js';
import type { ResourceActor } from './resource-actor.js';

/**
 * The hibernated in-sync check: most ticks find the world as desired, so a tick on a resource
 * resting in `synced` (or a new one, `pending`) observes and assesses without waking the
 * machine, which costs an xstate actor and a macrostep. Only if the observation shows work (a
 * difference, unhealthy, a dependency to wait for), or a trigger or delete arrived meanwhile,
 * does it wake the machine, handing over what it saw (`ASSESSED`). It decides with the same
 * `assess` the machine reads, so the two cannot disagree.
 */
export function fastCheck(actor: ResourceActor): void {
  actor.flags |= F_FAST;
  actor.beginPass();
  actor.perform('observe', actor.snapshot ? listedWork : observeWork, fastObserved, fastFailed);
}

function fastObserved(this: ResourceActor, observed: Observed | undefined): void {
  this.flags &= ~F_FAST;
  const bad = badObservation(this.key, observed);
  if (bad) {
    this.crash(bad);
    return;
  }
  recordObservation(this, observed);
  if (this.assessment !== 'in-sync' || this.flags & (F_DIRTY | F_DELETE)) {
    this.send({ type: 'ASSESSED' }); // wake the machine with what was seen
    return;
  }
  this.observed = undefined;
  if (this.phase === 'pending') {
    // A first pass that finds the object as desired: synced, as the machine would say.
    this.phase = 'synced';
    markSynced(this);
    this.arm();
    return;
  }
  const now = this.host.clock.now(); // one reading for the end of the pass and the next tick
  this.lastReconcileAt = now;
  if (this.flags & F_UNVERIFIED) {
    this.flags &= ~F_UNVERIFIED;
    this.host.notify(this, { type: 'verified' });
  }
  this.endPass('in-sync', now);
  this.arm(now);
}

/** The observation failed: the machine hears `FAILED` and backs off; the check is over. */
function fastFailed(this: ResourceActor): void {
  this.flags &= ~F_FAST;
}
