/** One Server-Sent Event as a test reads it. */
export interface SseEvent {
  readonly id: string | undefined;
  readonly event: string;
  readonly data: Record<string, unknown>;
}

/**
 * Read an event stream from a real HTTP request (`fetch`): `next(n)` resolves with the next `n`
 * events (waiting for them), `close()` drops the connection as a client that goes away would.
 */
export async function openEvents(url: string, headers: Record<string, string> = {}) {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const queue: SseEvent[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  let failure: unknown;
  (async () => {
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end = buffer.indexOf('\n\n');
      while (end >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const fields = new Map<string, string>();
        for (const line of block.split('\n')) {
          if (line === '' || line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          fields.set(line.slice(0, colon), line.slice(colon + 1).replace(/^ /, ''));
        }
        if (fields.has('data')) {
          queue.push({
            id: fields.get('id'),
            event: fields.get('event') ?? 'message',
            data: JSON.parse(fields.get('data') as string) as Record<string, unknown>,
          });
          wake?.();
        }
        end = buffer.indexOf('\n\n');
      }
    }
  })()
    .catch((error: unknown) => {
      if (!controller.signal.aborted) failure = error;
    })
    .finally(() => {
      ended = true;
      wake?.();
    });

  return {
    response,
    /** Every event received so far (not taken by `next`). */
    get buffered(): readonly SseEvent[] {
      return queue;
    },
    /** The next `n` events, bookmarks skipped unless `bookmarks`; fails after `ms`. */
    async next(n: number, options: { bookmarks?: boolean; ms?: number } = {}): Promise<SseEvent[]> {
      const out: SseEvent[] = [];
      const deadline = Date.now() + (options.ms ?? 10_000);
      while (out.length < n) {
        const event = queue.shift();
        if (event !== undefined) {
          if (options.bookmarks || event.event !== 'BOOKMARK') out.push(event);
          continue;
        }
        if (failure) throw failure;
        if (ended) throw new Error(`the stream ended after ${out.length} of ${n} events`);
        if (Date.now() > deadline) throw new Error(`waited for ${n} events, got ${out.length}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 50);
        });
      }
      return out;
    },
    close(): void {
      controller.abort();
    },
  };
}
