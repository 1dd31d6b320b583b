/** One Server-Sent Event as the stream delivered it. */
export interface SseEvent {
  /** The `event:` field; `message` when the event named none. */
  readonly event: string;
  /** The `data:` lines, joined with `\n`. */
  readonly data: string;
  /** The last `id:` seen on the stream so far (it carries over to later events), if any. */
  readonly id: string | undefined;
}

/**
 * Reads a Server-Sent Events stream in whatever pieces the network hands over: a line, a field
 * or a UTF-8 character may be split anywhere, so text is kept until its line ends. Follows the
 * event-stream rules the watch relies on: lines end in LF, CR or CRLF; a line starting with `:`
 * is a comment; one space after the colon is dropped; an event is dispatched at a blank line
 * and only when it has data; `retry:` sets the reconnection delay.
 */
export class SseParser {
  readonly #decoder = new TextDecoder('utf-8');
  #buffer = '';
  /** The previous chunk ended in CR: an LF at the start of the next one ends nothing more. */
  #afterCr = false;
  #event = '';
  #data: string[] = [];
  #hasData = false;
  #lastId: string | undefined;
  #retryMs: number | undefined;

  /** The last event id seen: what a client sends back as `Last-Event-ID` to resume. */
  get lastEventId(): string | undefined {
    return this.#lastId;
  }

  /** The last `retry:` the server asked for, in milliseconds. */
  get retryMs(): number | undefined {
    return this.#retryMs;
  }

  /** Feed the next piece of the stream; returns the events it completed, in order. */
  push(chunk: Uint8Array | string): SseEvent[] {
    let text = typeof chunk === 'string' ? chunk : this.#decoder.decode(chunk, { stream: true });
    if (text === '') return [];
    if (this.#afterCr && text.startsWith('\n')) text = text.slice(1);
    this.#afterCr = false;
    this.#buffer += text;
    const events: SseEvent[] = [];
    let start = 0;
    for (;;) {
      const end = this.#lineEnd(start);
      if (end === -1) break;
      const line = this.#buffer.slice(start, end);
      if (this.#buffer[end] === '\r') {
        if (end + 1 === this.#buffer.length) {
          // A CR at the very end: an LF may follow in the next piece, and belongs to this line end.
          this.#afterCr = true;
          start = end + 1;
        } else start = this.#buffer[end + 1] === '\n' ? end + 2 : end + 1;
      } else start = end + 1;
      const event = this.#line(line);
      if (event !== undefined) events.push(event);
    }
    this.#buffer = this.#buffer.slice(start);
    return events;
  }

  #lineEnd(from: number): number {
    const lf = this.#buffer.indexOf('\n', from);
    const cr = this.#buffer.indexOf('\r', from);
    if (lf === -1) return cr;
    if (cr === -1) return lf;
    return Math.min(lf, cr);
  }

  #line(line: string): SseEvent | undefined {
    if (line === '') return this.#dispatch();
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.#event = value;
        break;
      case 'data':
        this.#data.push(value);
        this.#hasData = true;
        break;
      case 'id':
        if (!value.includes('\0')) this.#lastId = value;
        break;
      case 'retry':
        if (/^\d+$/.test(value)) this.#retryMs = Number(value);
        break;
    }
    return undefined;
  }

  #dispatch(): SseEvent | undefined {
    const event = this.#hasData
      ? { event: this.#event === '' ? 'message' : this.#event, data: this.#data.join('\n'), id: this.#lastId }
      : undefined;
    this.#event = '';
    this.#data = [];
    this.#hasData = false;
    return event;
  }
}
