import type { Runtime, RuntimeEvents } from '../../runtime/index.js';
import type { TimelineEntry } from './protocol.js';

/** How many events the ring keeps, across all resources: a fixed cost, whatever the fleet's size. */
export const TIMELINE_CAPACITY = 20_000;

interface Recorded extends TimelineEntry {
  readonly key: string;
}

type Describe<E extends keyof RuntimeEvents> = (
  e: Parameters<RuntimeEvents[E]>[0],
) => readonly [text: string, level: TimelineEntry['level']] | undefined;

/**
 * What each event the timeline keeps says, in one line. Not the passes: a resource in sync passes
 * every interval, and would push everything else out of the ring; and the runtime makes a pass's
 * events only while someone listens, which the timeline always does.
 */
const SAID: { readonly [E in keyof RuntimeEvents]?: Describe<E> } = {
  'action:applied': (e) => [`${e.action} applied in ${Math.round(e.durationMs)} ms`, 'info'],
  'action:failed': (e) => [
    `${e.operation} failed (attempt ${e.attempt}${e.permanent ? ', permanent' : ''})${
      e.delayMs === undefined ? '' : `, next try in ${formatMs(e.delayMs)}`
    }: ${e.error}`,
    'error',
  ],
  'resource:synced': () => ['Ready', 'info'],
  'resource:adopted': () => ['adopted: it existed, and is managed from now on', 'info'],
  'resource:deleted': () => ['deleted', 'info'],
  drift: (e) => [
    `drift: ${e.changes} field${e.changes === 1 ? '' : 's'} changed outside (${e.policy})`,
    'warn',
  ],
  degraded: (e) => [`Degraded: ${e.reason}${e.rollback ? ', rolled back' : ''}`, 'error'],
  'resource:unhealthy': (e) => [
    `${e.reason === 'unhealthy' ? 'unhealthy' : 'past its progress deadline'} (attempt ${e.attempt})${
      e.restart ? ', restarting it' : ''
    }`,
    'warn',
  ],
  hotloop: (e) => [
    `hot loop: applied ${e.applies} times in ${formatMs(e.sinceMs)}; changing: ${e.fields.join(', ')}`,
    'error',
  ],
  'hotloop:ended': (e) => [`hot loop over after ${e.applies} applies`, 'info'],
  recovered: () => ['recovered: Ready again', 'info'],
  'plan:computed': (e) => [`plan: ${e.action.action}`, 'info'],
  'actor:crashed': (e) => [`actor crashed: ${e.error}`, 'error'],
  'actor:crashloop': (e) => [
    `crash loop: ${e.crashes} crashes in a row, next start in ${formatMs(e.delayMs)}`,
    'error',
  ],
  'actor:restarted': (e) => [`actor restarted (${e.restarts} so far)`, 'warn'],
};

/**
 * The recent events of every resource, in one ring of {@link TIMELINE_CAPACITY} entries: a
 * resource's timeline is what the ring holds of it. Held deletions and approvals are told to
 * each key they name.
 */
export class Timeline {
  readonly #ring: (Recorded | undefined)[] = new Array(TIMELINE_CAPACITY);
  /** Each key's newest entry, while the ring holds it. */
  readonly #last = new Map<string, Recorded>();
  #next = 0;
  readonly #off: (() => void)[] = [];

  constructor(runtime: Pick<Runtime, 'on'>) {
    for (const name of Object.keys(SAID) as (keyof RuntimeEvents)[]) {
      const say = SAID[name] as Describe<typeof name>;
      this.#off.push(
        runtime.on(name, ((e: { key: string; at: number }) => {
          const said = say(e as never);
          if (said) this.#push({ key: e.key, at: e.at, event: name, text: said[0], level: said[1] });
        }) as RuntimeEvents[typeof name]),
      );
    }
    this.#off.push(
      runtime.on('deletion:held', (e) => {
        const text = `delete held: over the budget of ${e.budget.max} per ${formatMs(e.budget.windowMs)}`;
        for (const key of e.keys) this.#push({ key, at: e.at, event: 'deletion:held', text, level: 'warn' });
      }),
      runtime.on('deletion:approved', (e) => {
        for (const key of e.keys)
          this.#push({ key, at: e.at, event: 'deletion:approved', text: 'delete approved', level: 'info' });
      }),
    );
  }

  /** `key`'s entries in the ring, oldest first, each text passed through `redact`. */
  of(key: string, redact: (text: string) => string): TimelineEntry[] {
    const found: TimelineEntry[] = [];
    const n = this.#ring.length;
    for (let i = 0; i < n; i++) {
      const e = this.#ring[(this.#next + i) % n];
      if (e?.key === key) found.push({ at: e.at, event: e.event, text: redact(e.text), level: e.level });
    }
    return found;
  }

  /** What last happened to `key`, if the ring still holds it. */
  last(key: string): TimelineEntry | undefined {
    return this.#last.get(key);
  }

  close(): void {
    for (const off of this.#off.splice(0)) off();
  }

  #push(entry: Recorded): void {
    const out = this.#ring[this.#next];
    if (out !== undefined && this.#last.get(out.key) === out) this.#last.delete(out.key);
    this.#last.set(entry.key, entry);
    this.#ring[this.#next] = entry;
    this.#next = (this.#next + 1) % this.#ring.length;
  }
}

export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${(ms / 1000).toFixed(ms < 10_000 ? 1 : 0)} s`;
  return `${Math.round(ms / 60_000)} min`;
}
