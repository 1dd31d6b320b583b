import { describe, expect, it } from 'vitest';
import { TestClock } from '../time/test-clock.js';
import type { ApplyVerdict } from './apply-verdict.js';
import { ApplyProgress } from './progress.js';

const verdict = (synced: number, pending: number, failed = 0, wave = 0): ApplyVerdict => ({
  synced: Array.from({ length: synced }, (_, i) => `k/s${i}`),
  pending: Array.from({ length: pending }, (_, i) => `k/p${i}`),
  failed: Array.from({ length: failed }, (_, i) => ({ key: `k/f${i}`, reason: 'boom' })),
  blocked: [],
  done: pending === 0,
  wave,
});

function outputs(tty: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: { write: (t: string) => void out.push(t), isTTY: tty },
    stderr: { write: (t: string) => void err.push(t), isTTY: tty },
  };
}

describe('apply progress', () => {
  it('redraws one status line on a terminal, and clears it before any other line', async () => {
    const clock = new TestClock();
    const o = outputs(true);
    const progress = new ApplyProgress(o.stdout, o.stderr, clock, 5, 3);
    progress.update(verdict(1, 4, 0, 1));
    expect(o.err).toEqual(['\r\u001b[2Kwave 2/3 · 1/5 in sync · 4 working']);
    progress.update(verdict(2, 2, 1, 1)); // within 80 ms: drawn when the timer fires
    expect(o.err).toHaveLength(1);
    await clock.advance(80);
    expect(o.err.at(-1)).toBe('\r\u001b[2Kwave 2/3 · 2/5 in sync · 1 failing · 2 working');
    progress.info('  + k/a: created');
    expect(o.err.at(-2)).toBe('\r\u001b[2K');
    expect(o.out).toEqual(['  + k/a: created\n']);
    expect(o.err.at(-1)).toBe('\r\u001b[2Kwave 2/3 · 2/5 in sync · 1 failing · 2 working');
    progress.close();
    expect(o.err.at(-1)).toBe('\r\u001b[2K');
  });

  it('writes only plain lines off a terminal, and nothing to stdout with --json', () => {
    const clock = new TestClock();
    const o = outputs(false);
    const progress = new ApplyProgress(o.stdout, o.stderr, clock, 2, 1);
    progress.update(verdict(1, 1));
    progress.info('  + k/a: created');
    progress.problem('  ! k/b: create failed');
    progress.close();
    expect(o.out).toEqual(['  + k/a: created\n']);
    expect(o.err).toEqual(['  ! k/b: create failed\n']);
    const json = outputs(false);
    new ApplyProgress(undefined, json.stderr, clock, 1, 1).info('hidden');
    expect(json.out).toEqual([]);
  });
});
