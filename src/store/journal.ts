import type { Sealer } from './seal.js';
import { decodeChange } from './state-codec.js';
import { StateCorruptError } from './store-errors.js';
import type { StoreChange } from './store-state.js';

/**
 * Reading the journal (`journal.log`): one JSON change per line, appended and fsynced.
 *
 * A process killed in the middle of an append leaves a torn tail: a last line cut short, or
 * (after a power cut) lines of garbage past the last fsync. Only the tail can be torn, since
 * nothing is ever written before the end. So:
 *
 * - the valid journal is every line up to the first one that is not a complete change;
 * - if that bad line is followed by nothing but more bad bytes, it is a torn tail: ignored,
 *   and the file store truncates it away before appending again;
 * - if a good line follows it, the damage is not from a crash: {@link StateCorruptError}.
 */
export interface ParsedJournal {
  readonly changes: StoreChange[];
  /** Length in bytes of the valid prefix. */
  readonly validBytes: number;
  /** Bytes past it: the torn tail (0 when the journal ended cleanly). */
  readonly tornBytes: number;
}

const NEWLINE = 0x0a;
const decoder = new TextDecoder('utf-8', { fatal: false });

export function parseJournal(bytes: Uint8Array, file: string, sealer?: Sealer): ParsedJournal {
  const changes: StoreChange[] = [];
  let start = 0;
  let badLine: number | undefined;
  let validBytes = 0;
  for (let line = 1; start < bytes.length; line++) {
    const end = bytes.indexOf(NEWLINE, start);
    // A last line without its newline is torn, even if it happens to parse.
    const change = end === -1 ? undefined : decodeChange(decoder.decode(bytes.subarray(start, end)), sealer);
    if (change === undefined) {
      badLine ??= line;
    } else if (badLine !== undefined) {
      throw new StateCorruptError(
        file,
        'this line is damaged but later lines are not (not a torn tail)',
        badLine,
      );
    } else {
      changes.push(change);
      validBytes = end + 1;
    }
    if (end === -1) break;
    start = end + 1;
  }
  return { changes, validBytes, tornBytes: bytes.length - validBytes };
}
