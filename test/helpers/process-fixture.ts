import { randomUUID } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import type { ProviderContext } from '../../src/contract/provider.js';
import type { ProcessSpec } from '../../src/providers/process-spec.js';
import { systemClock } from '../../src/time/clock.js';
import { until } from './poll.js';

/**
 * A tiny service for the `process` provider's tests: serves `GET /healthz` on `$PORT` (200 and
 * its `$VERSION`, or 503 with `FIXTURE=sick`), exits at once with `FIXTURE=exit`, and ignores
 * SIGTERM with `FIXTURE=deaf`. On SIGTERM it appends `term <pid>` to `$SIGNALS` (if set).
 *
 * Every copy carries a marker in its arguments, so a test can find each one it started in
 * `/proc/<pid>/cmdline`, alive or a zombie.
 */
const SOURCE = `
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';
const mode = process.env.FIXTURE ?? 'ok';
if (mode === 'exit') { console.error('told to exit'); process.exit(3); }
process.on('SIGTERM', () => {
  if (process.env.SIGNALS) appendFileSync(process.env.SIGNALS, 'term ' + process.pid + '\\n');
  if (mode !== 'deaf') process.exit(0);
});
const server = createServer((req, res) => {
  if (req.url === '/healthz') {
    res.writeHead(mode === 'sick' ? 503 : 200, { 'content-type': 'text/plain' });
    res.end(process.env.VERSION ?? '');
  } else {
    res.writeHead(404);
    res.end();
  }
});
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => console.log('listening on', server.address().port));
`;

export interface Fixture {
  /** The script's path: run it with `process.execPath`. */
  readonly script: string;
  /** In every copy's arguments. */
  readonly marker: string;
}

/** Write the fixture service into `dir`. */
export async function writeFixture(dir: string): Promise<Fixture> {
  const script = join(dir, 'service.mjs');
  await writeFile(script, SOURCE);
  return { script, marker: `--fixture-run=${randomUUID()}` };
}

/**
 * A spec that runs the fixture at `version` on an `auto` port, probed by HTTP, telling its
 * SIGTERMs to `signals`; `mode` is its `FIXTURE` (`sick`, `exit`, `deaf`).
 */
export function fixtureSpec(
  fixture: Fixture,
  signals: string,
  version: string,
  extra: Partial<ProcessSpec> & { mode?: string } = {},
): ProcessSpec {
  const { mode, ...rest } = extra;
  return {
    command: process.execPath,
    args: [fixture.script, fixture.marker],
    env: { VERSION: version, SIGNALS: signals, ...(mode ? { FIXTURE: mode } : {}) },
    version,
    port: 'auto',
    health: { http: { path: '/healthz' }, timeout: '1s', startPeriod: '10s' },
    ...rest,
  };
}

export interface FoundProcess {
  readonly pid: number;
  /** The state letter of `/proc/<pid>/stat`: `Z` for a zombie. */
  readonly state: string;
}

/** Every process whose command line holds `marker`, with its state. */
export async function processesWith(marker: string): Promise<FoundProcess[]> {
  const found: FoundProcess[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8');
      if (!cmdline.split('\0').includes(marker)) continue;
      const stat = await readFile(`/proc/${entry}/stat`, 'utf8');
      found.push({ pid: Number(entry), state: stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0] ?? '?' });
    } catch {
      // gone meanwhile
    }
  }
  return found;
}

/** The live (not zombie) processes with `marker`. */
export async function liveWith(marker: string): Promise<number[]> {
  return (await processesWith(marker)).filter((p) => p.state !== 'Z' && p.state !== 'X').map((p) => p.pid);
}

/** SIGKILL every live process with `marker`: what a test left behind. */
export async function killAllWith(marker: string): Promise<void> {
  for (const pid of await liveWith(marker)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/** Is `GET /healthz` on `port` answered 200? With its body. */
export async function healthz(port: number): Promise<{ ok: boolean; body: string }> {
  try {
    const response = await fetch(`http://127.0.0.1:${port}/healthz`, {
      signal: AbortSignal.timeout(1000),
      headers: { connection: 'close' },
    });
    return { ok: response.ok, body: await response.text() };
  } catch {
    return { ok: false, body: '' };
  }
}

/**
 * The hooks every test file of real processes needs: the fixture written once into a temporary
 * directory, a fresh records directory per test, every fixture killed after each test, and at
 * the end none left, not even a zombie. The fields are set by the hooks: read them in tests.
 */
export function processTestBed(prefix: string) {
  const bed = {
    base: '',
    /** This test's records directory. */
    dir: '',
    fixture: undefined as unknown as Fixture,
    ctx: {
      signal: new AbortController().signal,
      log: pino({ level: 'silent' }),
      clock: systemClock,
    } as ProviderContext,
    /** The fixture at `version`, its SIGTERMs told to `<base>/signals.txt`. */
    spec: (version: string, extra?: Partial<ProcessSpec> & { mode?: string }) =>
      fixtureSpec(bed.fixture, join(bed.base, 'signals.txt'), version, extra),
  };
  beforeAll(async () => {
    bed.base = await mkdtemp(join(tmpdir(), prefix));
    bed.fixture = await writeFixture(bed.base);
  });
  beforeEach(async () => {
    bed.dir = await mkdtemp(join(bed.base, 'run-'));
    await rm(join(bed.base, 'signals.txt'), { force: true });
  });
  afterEach(async () => {
    await killAllWith(bed.fixture.marker);
    await until('the fixtures are gone', async () => (await liveWith(bed.fixture.marker)).length === 0);
  });
  afterAll(async () => {
    await until(
      'no fixture is left, not even a zombie',
      async () => (await processesWith(bed.fixture.marker)).length === 0,
    );
    await rm(bed.base, { recursive: true, force: true });
  });
  return bed;
}
