import type { IncomingMessage } from 'node:http';
import { apiError } from './api-error.js';

/** Bodies larger than this are refused (413). */
export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;
/** JSON nested deeper than this is refused (400): nothing setpoint stores needs more. */
export const MAX_JSON_DEPTH = 64;

/**
 * The request's body as JSON. Refuses, before parsing: a declared or actual length over
 * `maxBytes` (413, reading stops there), a content type that is not JSON (415), nesting deeper
 * than {@link MAX_JSON_DEPTH} (400), and text that is not JSON (400).
 */
export async function readJsonBody(
  req: IncomingMessage,
  maxBytes: number,
  types: readonly string[] = ['application/json'],
): Promise<unknown> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (!types.includes(type)) {
    throw apiError(
      'UnsupportedMediaType',
      `send the body as ${types.join(' or ')}, not ${type === '' ? 'no content type' : type}`,
      {
        field: 'content-type',
      },
    );
  }
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  const depth = jsonDepth(text);
  if (depth > MAX_JSON_DEPTH) {
    throw apiError(
      'BadRequest',
      `the body is nested ${depth} levels deep; at most ${MAX_JSON_DEPTH} are accepted`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw apiError(
      'BadRequest',
      `the body is not JSON: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
}

const tooLarge = (max: number) =>
  apiError('PayloadTooLarge', `the body is larger than ${max} bytes: split the change, or raise the limit`);

/** How deeply `text`'s brackets nest, outside strings (read before parsing, in one pass). */
export function jsonDepth(text: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i++;
      else if (c === 34 /* " */) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth++;
      if (depth > max) max = depth;
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth--;
  }
  return max;
}
