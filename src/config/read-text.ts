import { lstat, readFile, readlink, stat } from 'node:fs/promises';
import { type ConfigIssue, issue } from './issue.js';

export type ReadResult = { ok: true; text: string } | { ok: false; issue: ConfigIssue };

const UTF8 = new TextDecoder('utf-8', { fatal: true });

/**
 * A file's text, or why not: missing, unreadable, a dangling or looping link, too large, not
 * UTF-8, or (a resource file) empty: 0 bytes is what a half-done save leaves, and loading it
 * as "no resources" would prune everything the file declared.
 */
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
    if (info.size === 0 && !isConfig) {
      return fail(
        'empty-file',
        'the file is empty (0 bytes)',
        'write its resource documents, or delete the file to drop them (a file of only a comment is taken as no resources)',
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
    const link = await brokenLink(file, code);
    if (link !== undefined) return fail('read-error', link, 'fix the link or remove it');
    return fail(
      'read-error',
      `${file} could not be read: ${(error as Error).message}`,
      'check that it exists and is readable',
    );
  }
}

/** What is wrong with `file` when it is a symbolic link that cannot be followed. */
async function brokenLink(file: string, code: unknown): Promise<string | undefined> {
  const own = await lstat(file).catch(() => undefined);
  if (own === undefined || !own.isSymbolicLink()) return undefined;
  const target = await readlink(file).catch(() => '?');
  if (code === 'ELOOP')
    return `the file is a symbolic link in a loop (it points to ${JSON.stringify(target)})`;
  return `the file is a symbolic link to ${JSON.stringify(target)}, which does not exist`;
}
