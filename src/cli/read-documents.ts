import { dirname, resolve } from 'node:path';
import { readFileRefs } from '../config/file-refs.js';
import { type ConfigIssue, issue, type SourcePosition } from '../config/issue.js';
import { DEFAULT_MAX_FILE_BYTES } from '../config/load-options.js';
import { readText } from '../config/read-text.js';
import { isPlainObject } from '../config/schema-parts.js';
import { parseYaml } from '../config/yaml-source.js';
import type { CliIo } from './cli-io.js';

/** One document of a file given to `apply -f`, to be sent as it is (the server checks it). */
export interface WriteDocumentAt {
  readonly kind: string;
  readonly name: string;
  readonly body: Record<string, unknown>;
  readonly at: SourcePosition;
}

export interface ReadDocuments {
  readonly documents: WriteDocumentAt[];
  readonly issues: ConfigIssue[];
  /** Values a `${env:…}` or `${file:…}` reference put in the documents: never printed. */
  readonly secrets: string[];
}

/**
 * Every document of `files` (`-` is standard input), read as resource files are: YAML, several
 * documents separated by `---`, `${env:NAME}` and `${file:PATH}` references resolved (a file
 * path relative to the file that names it). Only what the client needs is checked here (each
 * document is a mapping with a kind and a name, to know where to send it); the server checks
 * the rest and answers with every problem.
 */
export async function readDocuments(files: readonly string[], io: CliIo): Promise<ReadDocuments> {
  const documents: WriteDocumentAt[] = [];
  const issues: ConfigIssue[] = [];
  const secrets: string[] = [];
  for (const given of files) {
    const stdin = given === '-';
    const file = stdin ? '<stdin>' : resolve(io.cwd, given);
    let text: string;
    if (stdin) {
      text = (await io.readStdin?.()) ?? '';
    } else {
      const read = await readText(file, DEFAULT_MAX_FILE_BYTES, false);
      if (!read.ok) {
        issues.push(read.issue);
        continue;
      }
      text = read.text;
    }
    const refs = await readFileRefs(text, stdin ? io.cwd : dirname(file), DEFAULT_MAX_FILE_BYTES);
    const yaml = parseYaml(text, file, io.env, refs);
    issues.push(...yaml.issues);
    secrets.push(...yaml.secrets);
    for (const doc of yaml.documents) {
      if (doc.empty || !doc.usable) continue;
      const value = doc.value;
      if (!isPlainObject(value)) {
        issues.push(issue('invalid-value', doc.start, 'a resource document must be a mapping', HINT));
        continue;
      }
      const { kind, name } = value;
      if (typeof kind !== 'string' || kind === '' || typeof name !== 'string' || name === '') {
        const missing = typeof kind !== 'string' || kind === '' ? 'kind' : 'name';
        issues.push(issue('missing-field', doc.start, `the document has no ${missing}`, HINT));
        continue;
      }
      documents.push({ kind, name, body: value, at: doc.start });
    }
  }
  return { documents, issues, secrets };
}

const HINT = 'write kind:, name: and spec: (and optionally labels:, dependsOn:, policy:) as its keys';
