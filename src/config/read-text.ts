import { readFile, stat } from 'node:fs/promises';
import { type ConfigIssue, issue } from './issue.js';

export type ReadResult = { ok: true; text: string } | { ok: false; issue: ConfigIssue };

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/** A file's text, or why not: missing, unreadable, too large, or not UTF-8. */
export async function readText(file: string, maxBytes: number, isConfig: boolean): Promise<ReadResult> {
  const at = { file, line: 1, column: 1 };
  const fail = (code: ConfigIssue['code'], message: string, hint: string): ReadResult => ({
    ok: false,
    issue: issue(code, at, message, hint),
  });
  try {
    const info = await stat(file);
    if (!info.isFile()) return fail('read-error', `${file} is not a file`, 'point at a YAML file');
    if (info.size > maxBytes) {
      return fail(
        'file-too-large',
        `the file is ${info.size} bytes, over the limit of ${maxBytes}`,
        'split it into several files, or raise maxFileBytes',
      );
    }
    const bytes = await readFile(file);
    if (bytes.byteLength > maxBytes) {
      return fail(
        'file-too-large',
        `the file is over the limit of ${maxBytes} bytes`,
        'split it into several files',
      );
    }
    try {
      return { ok: true, text: UTF8.decode(bytes) };
    } catch {
      return fail('read-error', 'the file is not UTF-8 text', 'save it as UTF-8');
    }
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (code === 'ENOENT' && isConfig) {
      return fail(
        'file-not-found',
        `config file ${file} does not exist`,
        'create it, or pass the right path with -c (default: setpoint.yaml in the working directory)',
      );
    }
    return fail(
      'read-error',
      `${file} could not be read: ${(error as Error).message}`,
      'check that it exists and is readable',
    );
  }
}
