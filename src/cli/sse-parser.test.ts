import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type SseEvent, SseParser } from './sse-parser.js';

/** Every event of `pieces`, fed one after another to one parser. */
function parseAll(pieces: readonly (string | Uint8Array)[]): { events: SseEvent[]; parser: SseParser } {
  const parser = new SseParser();
  const events = pieces.flatMap((piece) => parser.push(piece));
  return { events, parser };
}

const STREAM =
  'retry: 1000\n: watching\n\n' +
  'id: 12\nevent: ADDED\ndata: {"type":"ADDED","resourceVersion":12}\n\n' +
  'id: 13\r\nevent: BOOKMARK\r\ndata: {"type":"BOOKMARK","resourceVersion":13}\r\n\r\n' +
  'id: 14\revent: DELETED\rdata: {"name":"caf\u00e9 \u{1F600}"}\r\r' +
  'data:first\ndata: second\n\n';

describe('SseParser', () => {
  it('reads events with their type, data and id; comments, retry and line endings of every kind', () => {
    const { events, parser } = parseAll([STREAM]);
    expect(events).toEqual([
      { event: 'ADDED', data: '{"type":"ADDED","resourceVersion":12}', id: '12' },
      { event: 'BOOKMARK', data: '{"type":"BOOKMARK","resourceVersion":13}', id: '13' },
      { event: 'DELETED', data: '{"name":"caf\u00e9 \u{1F600}"}', id: '14' },
      // The id carries over to an event that names none; data lines join with a newline.
      { event: 'message', data: 'first\nsecond', id: '14' },
    ]);
    expect(parser.retryMs).toBe(1000);
    expect(parser.lastEventId).toBe('14');
  });

  it('keeps an event whose blank line has not come yet, and dispatches nothing without data', () => {
    const parser = new SseParser();
    expect(parser.push('id: 3\nevent: ADDED\ndata: {}\n')).toEqual([]);
    expect(parser.push('\n')).toEqual([{ event: 'ADDED', data: '{}', id: '3' }]);
    expect(parser.push('event: ADDED\n\n: just a comment\n\n')).toEqual([]);
  });

  it('treats a CR at the end of one piece and an LF at the start of the next as one line end', () => {
    // Read as two line ends, the LF would be a blank line and split one event in two.
    const { events } = parseAll(['data: a\r', '\ndata: b\r', '\n\r', '\n']);
    expect(events).toEqual([{ event: 'message', data: 'a\nb', id: undefined }]);
  });

  it('reads any stream of events written with any line endings, split anywhere, as written', () => {
    const eventArb = fc.record({
      event: fc.constantFrom('ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR'),
      // Any text but line ends, spaces and colons included.
      data: fc.array(
        fc.string({ unit: 'grapheme', maxLength: 12 }).map((t) => t.replace(/[\r\n]/g, '')),
        {
          minLength: 1,
          maxLength: 3,
        },
      ),
      id: fc.nat({ max: 10_000 }).map(String),
    });
    fc.assert(
      fc.property(
        fc.array(eventArb, { maxLength: 6 }),
        fc.constantFrom('\n', '\r\n', '\r'),
        fc.array(fc.nat(), { maxLength: 12 }),
        (written, end, cutsAt) => {
          const text =
            `retry: 1000${end}: watching${end}${end}` +
            written
              .map(
                (e) =>
                  [`id: ${e.id}`, `event: ${e.event}`, ...e.data.map((d) => `data: ${d}`), ''].join(end) +
                  end,
              )
              .join('');
          const bytes = new TextEncoder().encode(text);
          const cuts = [...new Set(cutsAt.map((n) => n % (bytes.length + 1)))].sort((a, b) => a - b);
          const bounds = [0, ...cuts, bytes.length];
          const pieces = bounds.slice(1).map((to, i) => bytes.subarray(bounds[i] as number, to));
          expect(parseAll(pieces).events).toEqual(
            written.map((e) => ({ event: e.event, data: e.data.join('\n'), id: e.id })),
          );
        },
      ),
      { numRuns: 300 },
    );
  });

  it('parses any split of a valid stream, as text or as bytes, to the same events', () => {
    const whole = parseAll([STREAM]).events;
    const bytes = new TextEncoder().encode(STREAM);
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: bytes.length - 1 }), { maxLength: 30 }),
        fc.boolean(),
        (cuts, asBytes) => {
          const sorted = [...cuts].sort((a, b) => a - b);
          const bounds = [0, ...sorted, bytes.length];
          const pieces = bounds.slice(1).map((end, i) => {
            const from = bounds[i] as number;
            return asBytes ? bytes.subarray(from, end) : STREAM.slice(from, end);
          });
          expect(parseAll(pieces).events).toEqual(whole);
        },
      ),
      { numRuns: 500 },
    );
  });
});
