/**
 * A count with its noun, singular for exactly one: `plural(1, 'resource')` is "1 resource",
 * `plural(2, 'resource')` "2 resources". Every count the command line prints goes through here,
 * so no message says "1 resources" or "resource(s)". `many` is for nouns that do not just add
 * an s (`plural(2, 'entry', 'entries')`).
 */
export function plural(n: number, noun: string, many = `${noun}s`): string {
  return `${n} ${n === 1 ? noun : many}`;
}
