/**
 * A Server-Sent Events parser for a stream read with `fetch` (the page cannot use
 * `EventSource`: it has to send the bearer token). Lines end in CRLF, LF or CR; `event:`,
 * `data:` and `id:` fields; a blank line ends an event; lines starting with `:` are comments.
 *
 * A snapshot of 100,000 rows is one `data:` line of several megabytes, arriving in many chunks:
 * the parser keeps the pieces of an unfinished line in a list and joins them once, when the line
 * ends, so the work stays linear in the size of the stream.
 */

export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

export class SseParser {
  private pieces: string[] = [];
  /** The last chunk ended in CR: an LF at the start of the next one belongs to it. */
  private afterCR = false;
  private event = '';
  private data: string[] = [];
  private id: string | undefined;

  constructor(private readonly emit: (event: SseEvent) => void) {}

  push(chunk: string): void {
    let start = 0;
    if (this.afterCR && chunk.charCodeAt(0) === 10) start = 1;
    this.afterCR = false;
    let nextLF = chunk.indexOf('\n', start);
    let nextCR = chunk.indexOf('\r', start);
    while (nextLF !== -1 || nextCR !== -1) {
      const end = nextCR === -1 ? nextLF : nextLF === -1 ? nextCR : Math.min(nextLF, nextCR);
      let line = chunk.slice(start, end);
      if (this.pieces.length > 0) {
        this.pieces.push(line);
        line = this.pieces.join('');
        this.pieces = [];
      }
      start = end + 1;
      if (end === nextCR) {
        if (start === chunk.length) this.afterCR = true;
        else if (chunk.charCodeAt(start) === 10) start += 1;
      }
      this.line(line);
      if (nextLF !== -1 && nextLF < start) nextLF = chunk.indexOf('\n', start);
      if (nextCR !== -1 && nextCR < start) nextCR = chunk.indexOf('\r', start);
    }
    if (start < chunk.length) this.pieces.push(chunk.slice(start));
  }

  private line(line: string): void {
    if (line === '') {
      if (this.data.length > 0) {
        this.emit({ event: this.event || 'message', data: this.data.join('\n'), id: this.id });
      }
      this.event = '';
      this.data = [];
      return;
    }
    if (line.charCodeAt(0) === 58) return; // ':' a comment (a keep-alive)
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    if (field === 'data') this.data.push(value);
    else if (field === 'event') this.event = value;
    else if (field === 'id' && !value.includes('\0')) this.id = value;
  }
}
