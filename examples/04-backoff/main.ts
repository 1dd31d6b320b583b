/**
 * Example 04 — backoff against a flaky provider.
 *
 * When a provider call fails, the resource retries after a delay that doubles each time, up to
 * a cap, with "full jitter": a random delay between 0 and that ceiling, so a thousand resources
 * that failed together do not retry together. After `maxRetries` failures the resource is
 * Degraded and keeps retrying at the cap. A server that says `Retry-After` sets a floor on the
 * next delay, for the whole provider.
 *
 * The provider is the built-in memory provider with an outage window dialled in: every call in
 * that window of virtual time fails. Randomness is seeded, so the delays are the same on
 * every run.
 *
 *   npm run example -- 04
 */
import { pathToFileURL } from 'node:url';
import { createRuntime, exponentialBackoff, TestClock } from '../../src/index.js';
import { memoryProvider, seededRandom } from '../../src/testing.js';

export interface ExampleOptions {
  /** The clock to run on. Default: a fresh `TestClock`. */
  clock?: TestClock;
}

export async function main(out: (line: string) => void, options: ExampleOptions = {}): Promise<void> {
  const clock = options.clock ?? new TestClock();
  const t = () => `[t=${(clock.now() / 1000).toFixed(3)}s]`;

  out('Part 1: the policy, as values (base 1 s, x2, cap 16 s)');
  const plain = exponentialBackoff({ baseMs: 1000, capMs: 16_000, jitter: 'none' });
  const jittered = exponentialBackoff({
    baseMs: 1000,
    capMs: 16_000,
    jitter: 'full',
    random: seededRandom(7),
  });
  const attempts = [0, 1, 2, 3, 4, 5, 6];
  out(`  no jitter:   ${attempts.map((n) => plain.delay(n)).join(', ')}`);
  out(`  full jitter: ${attempts.map((n) => jittered.delay(n)).join(', ')}`);

  out('');
  out('Part 2: the provider is down from 0 s to 45 s');
  const random = seededRandom(4);
  const buckets = memoryProvider({
    kind: 'bucket',
    clock,
    random,
    faults: { outage: [{ from: 0, until: 45_000 }] },
  });
  const policy = { baseMs: 1000, capMs: 16_000, jitter: 'full' } as const;
  const ceiling = exponentialBackoff(policy);
  const rt = createRuntime({ providers: [buckets], clock, random, backoff: policy, maxRetries: 4 });
  rt.on('action:failed', (e) => {
    const cap = ceiling.ceiling(e.attempt - 1);
    out(
      `${t()} ${e.key} ${e.operation} failed (attempt ${e.attempt}); ceiling ${cap} ms, waiting ${e.delayMs} ms`,
    );
  });
  rt.on('degraded', (e) => out(`${t()} ${e.key} is Degraded; it keeps retrying at the cap`));
  rt.on('recovered', (e) => out(`${t()} ${e.key} recovered`));
  rt.on('action:applied', (e) => out(`${t()} ${e.action} ${e.key}`));
  await rt.start();
  rt.setDesired([{ kind: 'bucket', name: 'logs', spec: { versioning: true } }]);
  await clock.advance(60_000);
  const status = rt.status('bucket/logs');
  out(
    `${t()} phase ${status?.phase}, attempts ${status?.attempts}, calls: ${buckets.calls.observe} observe, ${buckets.calls.create} create`,
  );

  out('');
  out('Part 3: the server answers 429 with Retry-After: 20 s');
  buckets.setFaults({ retryAfterRate: 1, retryAfterMs: 20_000, operations: ['update'] });
  const once = rt.on('action:failed', () => buckets.setFaults(undefined)); // one 429, then all is well
  rt.setDesired([{ kind: 'bucket', name: 'logs', spec: { versioning: false } }]);
  await clock.advance(0);
  once();
  out(`${t()} a second bucket is added; the provider is paused, so it waits too`);
  rt.setDesired([
    { kind: 'bucket', name: 'logs', spec: { versioning: false } },
    { kind: 'bucket', name: 'media', spec: { versioning: true } },
  ]);
  await clock.advance(30_000);
  await rt.stop();
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main((line) => console.log(line));
}
