import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { builtCli } from './helpers/built-cli.js';
import { type ChaosFigures, runChaos } from './helpers/chaos-run.js';
import { killEveryChild } from './helpers/cluster-procs.js';
import { postgresTests } from './helpers/postgres.js';

// A group of real `setpoint run` processes on one real PostgreSQL, broken on purpose: kill -9 in
// the middle of the first creates, a member added and one removed, an owner paused past its
// lease while its resources change, an owner cut off from the database by a proxy. Across all
// of it: no create is made twice, no two processes work on one key at once, no shard goes
// without an owner longer than a lease and a tick, and everything converges. Small numbers here
// (`npm run chaos` runs the same at full size and prints the figures).
const SHARDS = 16;
const LEASE_TTL_MS = 2000;
const RENEW_EVERY_MS = 500;

const pgt = postgresTests();
let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'setpoint-chaos-'));
}, 60_000);
afterAll(() => {
  killEveryChild(); // when the scenarios were cut short by a timeout
  if (dir && !process.env.SETPOINT_CHAOS_KEEP) rmSync(dir, { recursive: true, force: true });
});

describe('a group of setpoint run processes, broken on purpose', () => {
  let figures: ChaosFigures;

  it('runs the scenarios', async () => {
    figures = await runChaos({
      dir,
      bin: builtCli().bin,
      url: (await pgt.database('chaos')).url,
      shards: SHARDS,
      resources: 400,
      leaseTtlMs: LEASE_TTL_MS,
      renewEveryMs: RENEW_EVERY_MS,
      latencyMs: 10,
      concurrency: 4,
      convergeMs: 30_000,
      progress: (message) => process.stderr.write(`  chaos: ${message}\n`),
    });
    process.stderr.write(`  chaos figures: ${JSON.stringify(figures, null, 1)}\n`);
    expect(figures.error).toBeUndefined();
  }, 120_000);

  it('takes over a killed instance’s shards within a tick or two, not a lease', () => {
    expect(figures.takeoverAfterKillMs).toBeLessThan(LEASE_TTL_MS);
  });

  it('moves few shards per change of membership', () => {
    expect(figures.membership).toHaveLength(2);
    for (const change of figures.membership)
      expect(change.moved, change.change).toBeLessThanOrEqual(change.bound);
  });

  it('a paused owner, resumed after its shards moved, logs them lost and writes nothing for them', () => {
    expect(figures.pause?.lostLogged).toMatch(/^lost \d+ shards? \((expired|taken)/);
    expect(figures.pause?.staleWrites).toBe(0);
    expect(figures.pause?.staleStatusRows).toBe(0);
  });

  // On waking, the announcement of the change made while it slept may be handled before the
  // lease deadline's timer fires: the read checks the deadline first, and the providers refuse
  // any call while the instance is out of touch.
  it('a paused owner, resumed after its shards moved, makes no provider call for them, not even a read', () => {
    expect(figures.pause?.staleSamples).toEqual([]);
  });

  it('an owner cut off from the database stops its shards before another claims them, after expiry', () => {
    expect(figures.cut?.stoppedAfterMs).toBeDefined();
    expect(figures.cut?.stoppedAfterMs).toBeLessThan(LEASE_TTL_MS);
    expect(figures.cut?.stoppedBeforeClaim).toBe(true);
    expect(figures.cut?.claimsBeforeExpiry).toBe(0);
  });

  // A reset ends the owner's sessions on the server, which frees its shards' advisory locks: the
  // others may take them within a tick. The owner sees its sessions end at once, and stops.
  it('an owner whose connections are reset stops its shards before another claims them', () => {
    expect(figures.cutReset?.stoppedAfterMs).toBeDefined();
    expect(figures.cutReset?.stoppedBeforeClaim).toBe(true);
  });

  it('never creates twice, never works on one key from two processes, leaves no shard ownerless long', () => {
    expect(figures.duplicates).toEqual([]);
    expect(figures.overlapSamples).toEqual([]);
    // Sampled every 100 ms: a sample's worth of slack.
    expect(figures.worstOwnerlessMs).toBeLessThanOrEqual(figures.ownerlessBoundMs + 200);
    expect(figures.convergeLastMs).toBeDefined();
  });
});
