/**
 * The dashboard's feed read in Node, with the page's own SSE parser and `JSON.parse`: the
 * anchor of the update rate (no rendering), and the bench's record of every event the server
 * sent (its `seq`, the server's `at`, its rows), against which the page's progress is read.
 *
 * It reads in a worker thread (`dashboard-feed-worker.ts`), on an event loop of its own: the
 * bench's main thread runs the runtime and the server, and is busy at high rates.
 */
import { Worker } from 'node:worker_threads';
import { SseParser } from '../../dashboard/sse.js';

export interface FeedRecord {
  readonly seq: number;
  readonly name: string;
  /** The server's time of the event (ms since the epoch). */
  readonly at: number;
  /** When this client had it parsed (`Date.now()`). */
  readonly arrived: number;
  /** Rows in a `changes` event (0 for the others). */
  readonly rows: number;
}

/** What the client received: every event after the snapshot, in order. */
export class FeedRecords {
  constructor(
    readonly snapshotSeq: number,
    readonly events: readonly FeedRecord[],
  ) {}

  get latestSeq(): number {
    return this.events.at(-1)?.seq ?? this.snapshotSeq;
  }

  /** Rows of the `changes` events with `from < seq <= to`. */
  rowsBetween(from: number, to: number): number {
    let sum = 0;
    for (const e of this.events) if (e.seq > from && e.seq <= to) sum += e.rows;
    return sum;
  }

  /** Events that arrived in `[from, to)` (`Date.now()` times). */
  arrivedBetween(from: number, to: number): FeedRecord[] {
    return this.events.filter((e) => e.arrived >= from && e.arrived < to);
  }

  /**
   * How far behind a reader was at `now` (ms) that had applied every event up to `seq`: the age
   * of the oldest event the server had sent by then that it had not applied; 0 when caught up.
   */
  lagAt(now: number, seq: number): number {
    for (const e of this.events) if (e.seq > seq && e.at <= now) return now - e.at;
    return 0;
  }
}

/** The reader itself; runs in the worker. */
export class FeedClient {
  readonly events: FeedRecord[] = [];
  snapshotSeq = 0;
  snapshotRows = 0;
  readonly #controller = new AbortController();
  #done: Promise<void> = Promise.resolve();

  /** Connect and resolve once the snapshot is parsed. */
  static async open(url: string): Promise<FeedClient> {
    const client = new FeedClient();
    await client.#connect(url);
    return client;
  }

  async close(): Promise<void> {
    this.#controller.abort();
    await this.#done;
  }

  async #connect(url: string): Promise<void> {
    const response = await fetch(`${url}/dashboard/feed`, {
      headers: { accept: 'text/event-stream' },
      signal: this.#controller.signal,
    });
    if (!response.ok || response.body === null) throw new Error(`feed: HTTP ${response.status}`);
    let snapshot: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      snapshot = resolve;
    });
    const parser = new SseParser((event) => {
      const data = JSON.parse(event.data) as { seq: number; at: number; rows?: unknown[] };
      if (event.event === 'snapshot') {
        this.snapshotSeq = data.seq;
        this.snapshotRows = data.rows?.length ?? 0;
        snapshot();
        return;
      }
      const rows = event.event === 'changes' ? (data.rows?.length ?? 0) : 0;
      this.events.push({ seq: data.seq, name: event.event, at: data.at, arrived: Date.now(), rows });
    });
    const reader = response.body.getReader();
    const decoder = new TextDecoder();
    this.#done = (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          parser.push(decoder.decode(value, { stream: true }));
        }
      } catch (error) {
        if (!this.#controller.signal.aborted) throw error;
      }
    })();
    await Promise.race([first, this.#done.then(() => Promise.reject(new Error('feed ended early')))]);
  }
}

/** A {@link FeedClient} in a worker thread, asked for what it received. */
export class FeedWorker {
  readonly #worker: Worker;
  #asked: ((records: FeedRecords) => void) | undefined;

  private constructor(worker: Worker) {
    this.#worker = worker;
    worker.on('message', (m: { snapshotSeq: number; events: FeedRecord[] }) => {
      this.#asked?.(new FeedRecords(m.snapshotSeq, m.events));
      this.#asked = undefined;
    });
  }

  /** Start the worker; resolves once its client has the snapshot. */
  static open(url: string): Promise<FeedWorker> {
    // A worker does not take tsx from the command line: it registers it, then loads the file.
    const file = new URL('./dashboard-feed-worker.ts', import.meta.url).href;
    const source = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(file)}); });`;
    const worker = new Worker(source, { eval: true, workerData: { url } });
    return new Promise((resolve, reject) => {
      worker.once('error', reject);
      worker.once('message', () => {
        worker.off('error', reject);
        resolve(new FeedWorker(worker));
      });
    });
  }

  records(): Promise<FeedRecords> {
    return new Promise((resolve) => {
      this.#asked = resolve;
      this.#worker.postMessage('records');
    });
  }

  async close(): Promise<void> {
    await this.#worker.terminate();
  }
}
