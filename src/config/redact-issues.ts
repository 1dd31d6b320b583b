import { jsonEscaped, REDACTED, redact } from '../contract/redact.js';
import type { ConfigIssue } from './issue.js';

/** Messages quote a value cut short with this mark: `"a long value…"`. */
const CUT = '…';

/**
 * `issues` with every secret hidden in their messages and hints: what `loadConfig` returns for a
 * config that fails its checks, so no printout of them can show a value from `${env:NAME}`.
 *
 * ```ts
 * redactIssues([issue('bad-duration', at, '"hunter2" is not a duration', 'write 30s')], ['hunter2']);
 * // message: '"[redacted]" is not a duration'
 * ```
 *
 * A message quotes the value it refuses, and a secret may be part of that value: JSON-escaped,
 * trimmed, or cut short at a length limit. So besides what `redact` hides, this hides each
 * secret trimmed, and the start of a secret right before the `…` of a value cut short, however
 * short that start (hiding a letter too many is better than showing half a password).
 */
export function redactIssues(issues: readonly ConfigIssue[], secrets: readonly string[]): ConfigIssue[] {
  const live = [...new Set(secrets.filter((s) => typeof s === 'string' && s !== ''))];
  if (live.length === 0) return [...issues];
  const all = [...new Set([...live, ...live.map((s) => s.trim()).filter((s) => s !== '')])];
  const hide = (text: string) => hideCutSecrets(redact(text, all), all);
  return issues.map((item) => ({ ...item, message: hide(item.message), hint: hide(item.hint) }));
}

/** Every `…` preceded by the start of a secret (as written or JSON-escaped): that start hidden. */
function hideCutSecrets(text: string, secrets: readonly string[]): string {
  // Spans to hide, found on the text as it is: a secret may itself hold a `…`.
  const spans: [from: number, to: number][] = [];
  for (let at = text.indexOf(CUT); at !== -1; at = text.indexOf(CUT, at + 1)) {
    const length = longestStartBefore(text, at, secrets);
    if (length > 0) spans.push([at - length, at]);
  }
  if (spans.length === 0) return text;
  spans.sort((a, b) => a[0] - b[0]);
  let out = '';
  let done = 0;
  for (const [from, to] of spans) {
    if (to <= done) continue;
    out += from >= done ? `${text.slice(done, from)}${REDACTED}` : '';
    done = to;
  }
  return out + text.slice(done);
}

/** The length of the longest start of a secret that `text` has right before `end`. */
function longestStartBefore(text: string, end: number, secrets: readonly string[]): number {
  let best = 0;
  for (const secret of secrets) {
    // A start is never longer than the secret, nor (as written) than the text before `end`.
    for (let n = Math.min(secret.length, end); n > 0; n--) {
      const start = secret.slice(0, n);
      for (const form of [start, jsonEscaped(start)]) {
        if (form.length > best && form.length <= end && text.startsWith(form, end - form.length)) {
          best = form.length;
        }
      }
    }
  }
  return best;
}
