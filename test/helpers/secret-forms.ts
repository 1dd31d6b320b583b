/**
 * The oracle of the secret tests: every way a secret could still be read in output, worked out
 * here with `JSON.stringify`, never by the code under test.
 */

/** `text` as between the quotes of a JSON string. */
export function escaped(text: string): string {
  return JSON.stringify(text).slice(1, -1);
}

/** A secret as written, JSON-escaped, and JSON-escaped twice (JSON inside a JSON string). */
export function formsOf(secret: string): string[] {
  return [secret, escaped(secret), escaped(escaped(secret))];
}

/** Whether `text` shows `secret` whole, in any of its forms. */
export function showsWhole(text: string, secret: string): boolean {
  return formsOf(secret).some((form) => text.includes(form));
}

/**
 * Whether `text` shows `secret` whole, or a start of it of `minCut` characters or more just
 * before the `…` of a value cut short.
 */
export function showsWholeOrStart(text: string, secret: string, minCut: number): boolean {
  if (showsWhole(text, secret)) return true;
  for (let n = minCut; n <= secret.length; n++) {
    const start = secret.slice(0, n);
    if (text.includes(`${start}…`) || text.includes(`${escaped(start)}…`)) return true;
  }
  return false;
}
