import type { ServerResponse } from 'node:http';
import type { WatchEvent } from './watch-hub.js';

/** A watcher that lets this much go unread is ended: it would hold the server's memory. */
export const MAX_UNREAD_BYTES = 16 * 1024 * 1024;

const texts = new WeakMap<WatchEvent, string>();

/**
 * An event as Server-Sent Events text: its version as the `id` (what a client resumes from,
 * sent back as `Last-Event-ID`), its type as the `event`, and the event as JSON `data`. An
 * event sent to many watchers is written to text once. An `ERROR` ends the stream.
 */
export function sseText(event: WatchEvent): string {
  let text = texts.get(event);
  if (text === undefined) {
    // An opening object carries no id: resuming from it could skip objects listed after it.
    const id = 'initial' in event && event.initial ? '' : `id: ${event.resourceVersion}\n`;
    text = `${id}event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
    texts.set(event, text);
  }
  return text;
}

/** Start an event stream on `res`. */
export function openStream(res: ServerResponse): void {
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  // How long a client waits before it reconnects, then a comment to flush the headers.
  res.write('retry: 1000\n: watching\n\n');
}

/** Write `events`; false when the client is too far behind and the stream was ended. */
export function writeEvents(res: ServerResponse, events: readonly WatchEvent[]): boolean {
  if (res.writableEnded || res.destroyed) return false;
  let text = '';
  for (const event of events) text += sseText(event);
  res.write(text);
  if (events.some((e) => e.type === 'ERROR')) {
    res.end();
    return false;
  }
  if (res.writableLength > MAX_UNREAD_BYTES) {
    res.end();
    return false;
  }
  return true;
}
