import { readFile, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import { FILE_REFERENCE, type FileRefs } from './env.js';

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Read every file a text's `${file:PATH}` references name, relative to `dir`, before the text
 * is parsed: its content less one final newline (`\n` or `\r\n`), or why it could not be read.
 * A file over `maxBytes` or not UTF-8 is refused. Never throws.
 */
export async function readFileRefs(text: string, dir: string, maxBytes: number): Promise<FileRefs> {
  const paths = new Set([...text.matchAll(FILE_REFERENCE)].map((m) => m[1] as string));
  const refs = new Map<string, { text: string } | { error: string }>();
  await Promise.all(
    [...paths].map(async (path) => {
      refs.set(path, await readOne(resolve(dir, path), maxBytes));
    }),
  );
  return refs;
}

async function readOne(file: string, maxBytes: number): Promise<{ text: string } | { error: string }> {
  try {
    const info = await stat(file);
    if (!info.isFile()) return { error: `${file} is not a file` };
    if (info.size > maxBytes) return { error: `${file} is over the limit of ${maxBytes} bytes` };
    const bytes = await readFile(file);
    if (bytes.byteLength > maxBytes) return { error: `${file} is over the limit of ${maxBytes} bytes` };
    const text = UTF8.decode(bytes);
    return {
      text: text.endsWith('\r\n') ? text.slice(0, -2) : text.endsWith('\n') ? text.slice(0, -1) : text,
    };
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT') return { error: `${file} does not exist` };
    if (error instanceof TypeError) return { error: `${file} is not UTF-8 text` };
    return { error: `${file} could not be read: ${(error as Error).message}` };
  }
}
