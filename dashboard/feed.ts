/**
 * The live feed: `GET /dashboard/feed` read with `fetch` and a streaming reader. When the stream
 * breaks or cannot be opened, it tries again after 0.5 s, doubling to 5 s; a snapshot received
 * resets the delay. Every connection starts with a snapshot that replaces the whole state, so a
 * server restart is caught up on. A 401 waits for the operator's token instead of retrying.
 */
import type { FeedEventName } from '../src/server/dashboard/protocol.js';
import { headers } from './api.js';
import { SseParser } from './sse.js';

export type ConnectionState = 'connecting' | 'live' | 'reconnecting';

export interface FeedStatus {
  readonly state: ConnectionState;
  /** Why it is not live, for a person: `HTTP 503`, `token needed`, … */
  readonly detail: string;
  /** The server answered 401: reads need the token. */
  readonly unauthorized: boolean;
}

export interface FeedOptions {
  readonly url: string;
  /** Called for each event, in order; a throw drops the connection and starts over. */
  readonly onEvent: (name: FeedEventName, data: unknown) => void;
  readonly onStatus: (status: FeedStatus) => void;
}

const FIRST_DELAY = 500;
const MAX_DELAY = 5000;
const EVENTS: ReadonlySet<string> = new Set<FeedEventName>(['snapshot', 'changes', 'overview']);

export class Feed {
  private controller: AbortController | undefined;
  private wake: (() => void) | undefined;
  private stopped = false;
  private delay = FIRST_DELAY;
  private connectedOnce = false;

  constructor(private readonly options: FeedOptions) {}

  start(): void {
    void this.loop();
  }

  /** Drop the connection and open a new one now (the token changed). */
  restart(): void {
    this.delay = FIRST_DELAY;
    this.controller?.abort();
    this.wake?.();
  }

  stop(): void {
    this.stopped = true;
    this.restart();
  }

  private status(state: ConnectionState, detail = '', unauthorized = false): void {
    this.options.onStatus({ state, detail, unauthorized });
  }

  private async loop(): Promise<void> {
    while (!this.stopped) {
      const outcome = await this.connect();
      if (this.stopped) return;
      this.connectedOnce = true;
      if (outcome === 'unauthorized') {
        this.status('reconnecting', 'token needed', true);
        await this.sleep(Number.POSITIVE_INFINITY);
        continue;
      }
      if (outcome !== 'aborted') {
        this.status('reconnecting', outcome);
        await this.sleep(this.delay);
        this.delay = Math.min(this.delay * 2, MAX_DELAY);
      }
    }
  }

  /** Open the feed and read it until it ends; answers why it ended. */
  private async connect(): Promise<string> {
    const controller = new AbortController();
    this.controller = controller;
    this.status(this.connectedOnce ? 'reconnecting' : 'connecting');
    try {
      const response = await fetch(this.options.url, {
        headers: headers({ accept: 'text/event-stream' }),
        cache: 'no-store',
        signal: controller.signal,
      });
      if (response.status === 401) return 'unauthorized';
      if (!response.ok || response.body === null) return `HTTP ${response.status}`;
      const decoder = new TextDecoder();
      let failure: unknown;
      const parser = new SseParser((event) => {
        if (failure !== undefined || !EVENTS.has(event.event)) return;
        try {
          const name = event.event as FeedEventName;
          this.options.onEvent(name, JSON.parse(event.data));
          if (name === 'snapshot') {
            this.delay = FIRST_DELAY;
            this.status('live');
          }
        } catch (error) {
          failure = error;
        }
      });
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return 'the feed ended';
        parser.push(decoder.decode(value, { stream: true }));
        if (failure !== undefined) {
          controller.abort();
          return `bad event: ${failure instanceof Error ? failure.message : String(failure)}`;
        }
      }
    } catch (error) {
      if (controller.signal.aborted) return 'aborted';
      return error instanceof Error ? error.message : String(error);
    } finally {
      if (this.controller === controller) this.controller = undefined;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      this.wake = done;
    });
  }
}
