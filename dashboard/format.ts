/** Small formatting helpers shared by the page's parts. */

/** `3 s`, `4 min`, `2 h`, `5 d`. */
export function duration(ms: number): string {
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 60) return `${min} min`;
  const h = Math.round(min / 60);
  if (h < 48) return `${h} h`;
  return `${Math.round(h / 24)} d`;
}

/** `in 3 s`, `3 s ago`, `now`, relative to `now`. */
export function relative(at: number, now: number): string {
  const delta = at - now;
  if (Math.abs(delta) < 1000) return 'now';
  return delta > 0 ? `in ${duration(delta)}` : `${duration(delta)} ago`;
}

/** A local date and time, for a `title`. */
export function timestamp(at: number): string {
  return new Date(at).toLocaleString();
}

/** `14:03:27`: the time of day, for an event of today in a table cell. */
export function clockTime(at: number): string {
  const d = new Date(at);
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(d.getHours())}:${two(d.getMinutes())}:${two(d.getSeconds())}`;
}

export type Tone = 'ok' | 'busy' | 'warn' | 'bad' | 'muted';

const PHASE_TONES: Record<string, Tone> = {
  synced: 'ok',
  progressing: 'busy',
  observing: 'busy',
  applying: 'busy',
  outOfSync: 'warn',
  waiting: 'muted',
  pending: 'muted',
  backoff: 'warn',
  restarting: 'warn',
  degraded: 'bad',
  deleting: 'busy',
  deleteBackoff: 'warn',
  deleted: 'muted',
};

/** The colour a phase is drawn in. */
export function phaseTone(phase: string): Tone {
  return PHASE_TONES[phase] ?? 'muted';
}

const PHASE_ORDER = Object.keys(PHASE_TONES);

/** Phases in the order a resource goes through them (unknown ones after, by name). */
export function comparePhases(a: string, b: string): number {
  const x = PHASE_ORDER.indexOf(a);
  const y = PHASE_ORDER.indexOf(b);
  if (x !== y) return x === -1 ? 1 : y === -1 ? -1 : x - y;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** `1 resource`, `2 resources`. */
export function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}
