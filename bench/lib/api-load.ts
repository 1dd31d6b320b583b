/**
 * The HTTP clients of the API benches, run in a worker thread so that they take the second
 * core and not the server's event loop. `fetch` (Node's undici) keeps its connections alive.
 * Times are `process.hrtime`, one clock for every thread of the process.
 *
 * Two jobs, chosen by `workerData.job`:
 * - `writes`: `clients` loops, each POSTing a new resource back to back, to each target in
 *   turn for windows of `seconds` (after a warm-up window each, not counted); answers the
 *   requests that succeeded and failed per target, and marks each window's start and end.
 * - `watch`: `watchers` Server-Sent Events streams on `watchUrl`; once each has its first
 *   bytes, `writers` loops send `changes` PUTs between them; each watcher records every event's
 *   `id` and the time it arrived, until it has `expect` events or `timeoutMs` passed.
 */
import { parentPort, workerData } from 'node:worker_threads';

export interface WritesJob {
  readonly job: 'writes';
  /** Where to POST: the servers compared, taking turns window by window. */
  readonly targets: readonly string[];
  readonly clients: number;
  /** Windows per target, and the seconds of each. */
  readonly windows: number;
  readonly seconds: number;
  /** A first window per target, not counted. */
  readonly warmupS: number;
}

/** Sent before and after each counted window, so the server can read its own CPU there. */
export interface WindowMark {
  readonly mark: 'start' | 'end';
  readonly target: number;
}

export interface WritesResult {
  readonly done: true;
  readonly targets: readonly {
    /** Requests answered 200 or 201 in the counted windows. */
    readonly ok: number;
    readonly failed: number;
    /** Wall time of the counted windows (each until its last request is answered). */
    readonly seconds: number;
    /** The first failure's status and body, if any. */
    readonly firstFailure?: string;
  }[];
}

export interface WatchJob {
  readonly job: 'watch';
  readonly watchUrl: string;
  /** `{base}/{name}`: the resource each change PUTs. */
  readonly writeBase: string;
  readonly watchers: number;
  readonly writers: number;
  readonly changes: number;
  /** Events each watcher waits for. */
  readonly expect: number;
  readonly timeoutMs: number;
}

export interface WatchResult {
  readonly done: true;
  /** Per watcher: the ids received, in order, and when (ms, hrtime). */
  readonly received: { ids: number[]; at: number[] }[];
  readonly writesOk: number;
  readonly writesFailed: number;
  readonly firstWriteAt: number;
  readonly firstFailure?: string;
}

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;

/** The body of request `i` of client `c`: a resource document named `w<run>-<c>-<i>`, unique per run. */
export function writeBody(run: string, c: number, i: number): string {
  return JSON.stringify({
    kind: 'app',
    name: `w${run}-${c}-${i}`,
    labels: { team: 'bench' },
    spec: { replicas: (i % 5) + 1, image: `registry/app:${i % 17}`, env: { A: 'a', B: String(i) } },
  });
}

async function writes(job: WritesJob): Promise<WritesResult> {
  const totals = job.targets.map(() => ({
    ok: 0,
    failed: 0,
    seconds: 0,
    firstFailure: undefined as string | undefined,
  }));
  const next = job.targets.map(() => 0);
  /** Every client sends back to back until `ms` have passed; answers what came back, and how long it took. */
  const window = async (target: number, ms: number) => {
    let ok = 0;
    let failed = 0;
    let firstFailure: string | undefined;
    const start = nowMs();
    const client = async (c: number) => {
      while (nowMs() - start < ms) {
        const i = next[target]!++;
        const res = await fetch(job.targets[target]!, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: writeBody(`${target}`, c, i),
        });
        const text = await res.text();
        if (res.status === 200 || res.status === 201) ok++;
        else {
          failed++;
          firstFailure ??= `${res.status} ${text.slice(0, 300)}`;
        }
      }
    };
    await Promise.all(Array.from({ length: job.clients }, (_, c) => client(c)));
    return { ok, failed, firstFailure, seconds: (nowMs() - start) / 1000 };
  };
  for (let t = 0; t < job.targets.length; t++) await window(t, job.warmupS * 1000);
  for (let w = 0; w < job.windows; w++) {
    for (let t = 0; t < job.targets.length; t++) {
      parentPort?.postMessage({ mark: 'start', target: t } satisfies WindowMark);
      const r = await window(t, job.seconds * 1000);
      parentPort?.postMessage({ mark: 'end', target: t } satisfies WindowMark);
      const total = totals[t]!;
      total.ok += r.ok;
      total.failed += r.failed;
      total.seconds += r.seconds;
      total.firstFailure ??= r.firstFailure;
    }
  }
  return {
    done: true,
    targets: totals.map(({ firstFailure, ...rest }) => ({
      ...rest,
      ...(firstFailure ? { firstFailure } : {}),
    })),
  };
}

/** One SSE stream: every event's `id`, with its arrival time, until `expect` or `stop`. */
async function watcher(
  url: string,
  expect: number,
  opened: () => void,
  stop: Promise<void>,
): Promise<{ ids: number[]; at: number[] }> {
  const ids: number[] = [];
  const at: number[] = [];
  const abort = new AbortController();
  void stop.then(() => abort.abort());
  try {
    const res = await fetch(url, { signal: abort.signal, headers: { accept: 'text/event-stream' } });
    if (res.status !== 200 || res.body === null) throw new Error(`watch answered ${res.status}`);
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    let buffer = '';
    let first = true;
    while (ids.length < expect) {
      const { value, done } = await reader.read();
      if (done) break;
      const t = nowMs();
      if (first) {
        first = false;
        opened();
      }
      buffer += value;
      let end = buffer.indexOf('\n\n');
      while (end !== -1) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        end = buffer.indexOf('\n\n');
        if (!block.startsWith('id: ')) continue;
        const eventAt = block.indexOf('\nevent: ');
        const type = block.slice(eventAt + 8, block.indexOf('\n', eventAt + 1));
        if (type === 'BOOKMARK') continue;
        ids.push(Number(block.slice(4, eventAt)));
        at.push(t);
      }
    }
    abort.abort();
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  }
  return { ids, at };
}

async function watch(job: WatchJob): Promise<WatchResult> {
  let stopAll: () => void = () => {};
  const stop = new Promise<void>((resolve) => {
    stopAll = resolve;
  });
  let open = 0;
  let allOpen: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    allOpen = resolve;
  });
  const streams = Array.from({ length: job.watchers }, () =>
    watcher(
      job.watchUrl,
      job.expect,
      () => {
        if (++open === job.watchers) allOpen();
      },
      stop,
    ),
  );
  await ready;
  const timer = setTimeout(stopAll, job.timeoutMs);
  let writesOk = 0;
  let writesFailed = 0;
  let firstFailure: string | undefined;
  let next = 0;
  const firstWriteAt = nowMs();
  const writer = async () => {
    for (let i = next++; i < job.changes; i = next++) {
      const name = `app-${i % 1000}`;
      const res = await fetch(`${job.writeBase}/${name}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          kind: 'app',
          name,
          spec: { replicas: (i % 5) + 1, image: `registry/app:${i}`, env: { A: 'a', B: String(i) } },
        }),
      });
      const text = await res.text();
      if (res.status === 200 || res.status === 201) writesOk++;
      else {
        writesFailed++;
        firstFailure ??= `${res.status} ${text.slice(0, 300)}`;
      }
    }
  };
  await Promise.all(Array.from({ length: job.writers }, writer));
  const received = await Promise.all(streams);
  clearTimeout(timer);
  stopAll();
  return {
    done: true,
    received,
    writesOk,
    writesFailed,
    firstWriteAt,
    ...(firstFailure ? { firstFailure } : {}),
  };
}

if (parentPort) {
  const job = workerData as WritesJob | WatchJob;
  const result = job.job === 'writes' ? await writes(job) : await watch(job);
  parentPort.postMessage(result);
}
