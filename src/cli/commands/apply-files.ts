import { isAbsolute, relative } from 'node:path';
import { stringify } from 'yaml';
import { escapeControl, formatIssues } from '../../config/format-issues.js';
import { redact } from '../../contract/redact.js';
import { redactedJson } from '../../server/redact-json.js';
import {
  type ApiAnswer,
  type ApiErrorAnswer,
  type ApiTarget,
  apiTargetFor,
  callApi,
  nothingAnswered,
  reportRefusal,
  resourcePath,
} from '../api-client.js';
import { type CliIo, colorFor } from '../cli-io.js';
import type { CommandArgs } from '../parse-args.js';
import { plural } from '../plural.js';
import { readDocuments, type WriteDocumentAt } from '../read-documents.js';

type ApplyArgs = Extract<CommandArgs, { command: 'apply' }>;

type Outcome = 'created' | 'configured' | 'unchanged';

interface Result {
  readonly key: string;
  readonly result: Outcome | 'refused';
  readonly object?: unknown;
  readonly error?: ApiErrorAnswer;
}

/** Another write between our read and our write: read again, this many times at most. */
const MAX_ATTEMPTS = 5;

/**
 * `setpoint apply -f FILE`: write each resource document of the files to a running instance's
 * API, creating or replacing it, and say what that did. Every file is read first: a file that
 * does not parse sends nothing at all.
 */
export async function applyFilesCommand(args: ApplyArgs, io: CliIo): Promise<number> {
  const read = await readDocuments(args.files ?? [], io);
  if (read.issues.length > 0) {
    const shown = formatIssues(read.issues, { relativeTo: io.cwd, color: colorFor(io.stderr, io.env) });
    io.stderr.write(
      `${redact(shown, read.secrets)}\n${plural(read.issues.length, 'problem')} found; nothing was sent.\n`,
    );
    return 1;
  }
  const client = { ...args, server: args.server, output: args.output ?? 'table' };
  const found = await apiTargetFor(client, io);
  if (found === undefined) return 1;
  const target: ApiTarget = { ...found, secrets: [...found.secrets, ...read.secrets] };
  const results: Result[] = [];
  for (const doc of read.documents) {
    const key = `${doc.kind}/${doc.name}`;
    const answer = await upsert(target, io, doc);
    if (answer.kind === 'none') {
      nothingAnswered(target, io);
      return 1;
    }
    if (answer.kind === 'refused') {
      const { status, error } = answer;
      if (status === 401 || status === 403 || error.code === undefined) {
        // About the instance, not this document: every other one would be refused alike.
        reportRefusal(target, io, status, error);
        return 1;
      }
      results.push({ key, result: 'refused', error });
      io.stderr.write(redact(refusalText(doc, error, io), target.secrets));
      continue;
    }
    results.push({ key, result: answer.outcome, object: answer.object });
    if (client.output === 'table') io.stdout.write(`${redact(`${key} ${answer.outcome}`, target.secrets)}\n`);
  }
  if (client.output === 'json') io.stdout.write(`${redactedJson({ results }, target.secrets, 2)}\n`);
  if (client.output === 'yaml') {
    io.stdout.write(redact(stringify(JSON.parse(redactedJson({ results }, target.secrets))), target.secrets));
  }
  return results.every((r) => r.result !== 'refused') ? 0 : 1;
}

type Upserted =
  | Exclude<ApiAnswer, { kind: 'ok' }>
  | { readonly kind: 'written'; readonly outcome: Outcome; readonly object: unknown };

/**
 * PUT one document, and tell created, configured and unchanged apart by versions: the write is
 * made against the version just read (`If-Match`), so an answer at that same version means the
 * server found nothing to change. A document that names its own `resourceVersion` is written
 * against that one, and a conflict is the user's to resolve.
 */
async function upsert(target: ApiTarget, io: CliIo, doc: WriteDocumentAt): Promise<Upserted> {
  const path = resourcePath(doc.kind, doc.name);
  const own = doc.body.resourceVersion;
  for (let attempt = 1; ; attempt++) {
    let before: number | undefined;
    if (typeof own === 'number') before = own;
    else {
      const read = await callApi(target, io, 'GET', path);
      if (read.kind === 'none') return read;
      if (read.kind === 'ok') before = (read.body as { resourceVersion: number }).resourceVersion;
      else if (read.status !== 404) return read;
    }
    const headers: Record<string, string> =
      before === undefined || typeof own === 'number' ? {} : { 'if-match': `"${before}"` };
    const answer = await callApi(target, io, 'PUT', path, { body: doc.body, headers });
    if (answer.kind === 'ok') {
      const version = (answer.body as { resourceVersion: number }).resourceVersion;
      const outcome: Outcome =
        answer.status === 201 ? 'created' : version === before ? 'unchanged' : 'configured';
      return { kind: 'written', outcome, object: answer.body };
    }
    // Written or deleted by another between the read and the write: read it again.
    const raced =
      answer.kind === 'refused' &&
      typeof own !== 'number' &&
      (answer.error.code === 'Conflict' || (answer.error.code === 'NotFound' && before !== undefined));
    if (!raced || attempt >= MAX_ATTEMPTS) return answer;
  }
}

/** A refused document: where it is, the server's message, and every problem on a line of its own. */
function refusalText(doc: WriteDocumentAt, error: ApiErrorAnswer, io: CliIo): string {
  const file = isAbsolute(doc.at.file) ? relative(io.cwd, doc.at.file) || doc.at.file : doc.at.file;
  const where = `${file}:${doc.at.line}`;
  const lines = [`${where}: ${error.message}`];
  for (const problem of error.problems ?? [])
    lines.push(`  ${problem.field || '(document)'}: ${problem.message}`);
  return `${lines.map(escapeControl).join('\n')}\n`;
}
