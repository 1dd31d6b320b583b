import type { Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { checkResources, type ResourceSetInput } from '../../config/check-resources.js';
import type { Env } from '../../config/env.js';
import { formatIssues } from '../../config/format-issues.js';
import { type ConfigIssue, compareText, issue, type SourcePosition, sortIssues } from '../../config/issue.js';
import { DEFAULT_MAX_FILE_BYTES } from '../../config/load-options.js';
import { parseResourceText, type ResourceEntry } from '../../config/parse-resource.js';
import { readText } from '../../config/read-text.js';
import { redactIssues } from '../../config/redact-issues.js';
import type { Resource } from '../../contract/resource.js';

export interface ReadTreeOptions {
  /** The directory to read: what `GitSource.checkout` returned. */
  readonly dir: string;
  /** Where `dir` is in the repository (`''` for the root): names in issues start from the root. */
  readonly path?: string;
  /** The commit the files are of: every issue names it. */
  readonly commit: string;
  /** Kind → provider entry, to report kinds without a provider; omitted, kinds are not checked. */
  readonly providers?: ResourceSetInput['providers'];
  /**
   * Where `${env:NAME}` looks. Default: an empty environment, so a reference in a repository is
   * an issue, not a way for whoever can push to read the variables of the process that applies
   * it. `${file:PATH}` is never read from a repository, for the same reason.
   */
  readonly env?: Env;
  /** Any file larger than this is refused unread. Default 1 MiB. */
  readonly maxFileBytes?: number;
}

/** A problem with a file of a commit. `file` is its path from the repository's root. */
export interface TreeIssue extends ConfigIssue {
  /** The commit the file is of. */
  readonly commit: string;
}

export interface TreeResources {
  readonly commit: string;
  /** The valid resources, each key once, in file order. */
  readonly resources: Resource[];
  /** Where each key's document starts (files from the repository's root). */
  readonly sources: Map<string, SourcePosition>;
  /** Every problem, sorted by file and line; empty when the whole tree is usable. */
  readonly issues: TreeIssue[];
  /** The files read, from the repository's root, in the order read. */
  readonly files: string[];
  /** Values substituted from `env`: to hide wherever they would show. */
  readonly secrets: string[];
}

/**
 * Every resource document in `*.yaml` and `*.yml` files under `dir` (any depth, in code-unit
 * order of their paths), read and checked as the config's resource files are (see
 * `loadConfig`): YAML errors, the schema, duplicate keys, unknown kinds, dependencies.
 *
 * ```ts
 * const read = await readResourceTree({ dir: tree, path: 'deploy', commit });
 * // read.issues[0]: { file: 'deploy/site-a/app1.yaml', line: 3, column: 5, commit, … }
 * ```
 *
 * Files and directories whose names start with `.` are skipped (`.github/workflows/*.yml` are
 * not resources), as are symbolic links. A tree with no resource file at all is an issue, not
 * an empty desired set: a wrong `path` must not read as "delete everything". Never throws on
 * what the files hold.
 */
export async function readResourceTree(options: ReadTreeOptions): Promise<TreeResources> {
  const { dir, commit } = options;
  const base = (options.path ?? '').replace(/^\.?\/+|\/+$/g, '').replace(/^\.$/, '');
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  const env = options.env ?? {};
  const issues: ConfigIssue[] = [];
  const secrets: string[] = [];
  const entries: ResourceEntry[] = [];
  let complete = true;

  const found = await yamlFiles(dir);
  if (found.unreadable.length > 0) complete = false;
  for (const sub of found.unreadable) {
    const shown = join(base, sub) || '.';
    issues.push(
      issue('read-error', start(shown), `directory ${shown} could not be read`, 'check its permissions'),
    );
  }
  const files = found.files.map((rel) => (base === '' ? rel : `${base}/${rel}`));
  if (files.length === 0 && found.unreadable.length === 0) {
    const where = base === '' ? 'the repository' : `${base}/`;
    issues.push(
      issue(
        'no-match',
        start(base === '' ? '.' : base),
        `no .yaml or .yml file in ${where} at commit ${commit}`,
        'add resource files there, or point the source at the directory that has them',
      ),
    );
  }

  const texts = await Promise.all(found.files.map((rel) => readText(join(dir, rel), maxFileBytes, false)));
  texts.forEach((read, i) => {
    const file = files[i] as string;
    if (!read.ok) {
      complete = false;
      const absolute = join(dir, found.files[i] as string);
      issues.push({ ...read.issue, file, message: read.issue.message.replaceAll(absolute, file) });
      return;
    }
    const parsed = parseResourceText(read.text, file, { env });
    complete &&= parsed.complete;
    entries.push(...parsed.entries);
    issues.push(...parsed.issues);
    secrets.push(...parsed.secrets);
  });

  const set = checkResources({ entries, complete, providers: options.providers, showFile: (f) => f });
  issues.push(...set.issues);
  const known = [...new Set(secrets)].filter((s) => s !== '');
  return {
    commit,
    resources: set.resources,
    sources: set.sources,
    issues: redactIssues(sortIssues(issues), known).map((item) => ({ ...item, commit })),
    files,
    secrets: known,
  };
}

/**
 * Issues of a tree as text for people: a line naming the commit, then `formatIssues`' blocks
 * (`deploy/site-a/app1.yaml:3:5 error …`).
 */
export function formatTreeIssues(read: Pick<TreeResources, 'commit' | 'issues'>, color = false): string {
  if (read.issues.length === 0) return '';
  return `in commit ${read.commit}:\n${formatIssues(read.issues, { color })}`;
}

function start(file: string): SourcePosition {
  return { file, line: 1, column: 1 };
}

/** `*.yaml`/`*.yml` files under `root` (relative, `/`-separated, sorted), and directories not read. */
async function yamlFiles(root: string): Promise<{ files: string[]; unreadable: string[] }> {
  const files: string[] = [];
  const unreadable: string[] = [];
  const visit = async (rel: string): Promise<void> => {
    let entries: Dirent[];
    try {
      entries = await readdir(rel === '' ? root : join(root, rel), { withFileTypes: true });
    } catch {
      unreadable.push(rel);
      return;
    }
    entries.sort((a, b) => compareText(a.name, b.name));
    for (const entry of entries) {
      if (entry.name.startsWith('.')) continue;
      const path = rel === '' ? entry.name : `${rel}/${entry.name}`;
      if (entry.isDirectory()) await visit(path);
      else if (entry.isFile() && /\.ya?ml$/i.test(entry.name)) files.push(path);
    }
  };
  await visit('');
  files.sort(compareText);
  return { files, unreadable };
}
