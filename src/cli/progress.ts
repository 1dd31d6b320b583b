import type { Clock, TimerHandle } from '../time/clock.js';
import type { ApplyVerdict } from './apply-verdict.js';
import type { Output } from './cli-io.js';

const CLEAR_LINE = '\r\u001b[2K';
const REDRAW_MS = 80;

/**
 * What `apply` shows while it works. Lines that stay (a resource created, a failure) go to
 * their stream as they happen; on a terminal, one status line at the bottom of stderr is
 * redrawn in place — resources in sync / total, failing, working, the current wave — and
 * cleared before anything else is written, so the two never tangle. Off a terminal there is
 * no status line: only plain lines.
 */
export class ApplyProgress {
  private status = '';
  private shown = false;
  private timer: TimerHandle | undefined;

  constructor(
    private readonly out: Output | undefined,
    private readonly err: Output,
    private readonly clock: Clock,
    private readonly total: number,
    private readonly waves: number,
  ) {}

  /** A line that stays, to stdout (`undefined` with `--json`: then nothing is written). */
  info(line: string): void {
    if (!this.out) return;
    this.clear();
    this.out.write(`${line}\n`);
    this.draw();
  }

  /** A line that stays, to stderr. */
  problem(line: string): void {
    this.clear();
    this.err.write(`${line}\n`);
    this.draw();
  }

  /** New counts for the status line (terminal only); drawn at most every 80 ms. */
  update(verdict: ApplyVerdict): void {
    if (!this.err.isTTY) return;
    const failing = verdict.failed.length + verdict.blocked.length;
    const wave = this.waves > 1 ? `wave ${Math.min(verdict.wave + 1, this.waves)}/${this.waves} · ` : '';
    this.status =
      `${wave}${verdict.synced.length}/${this.total} in sync` +
      (failing > 0 ? ` · ${failing} failing` : '') +
      (verdict.pending.length > 0 ? ` · ${verdict.pending.length} working` : '');
    if (this.timer !== undefined) return;
    this.draw();
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.draw();
    }, REDRAW_MS);
  }

  /** Remove the status line for good. */
  close(): void {
    if (this.timer !== undefined) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.clear();
    this.status = '';
  }

  private clear(): void {
    if (!this.shown) return;
    this.err.write(CLEAR_LINE);
    this.shown = false;
  }

  private draw(): void {
    if (!this.err.isTTY || this.status === '') return;
    this.err.write(`${CLEAR_LINE}${this.status}`);
    this.shown = true;
  }
}
