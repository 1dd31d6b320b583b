import { stat } from 'node:fs/promises';
import { dirname, relative, resolve } from 'node:path';
import type { Resource } from '../contract/resource.js';
import type { DeletionBudgetLimit } from '../runtime/index.js';
import { checkResources } from './check-resources.js';
import {
  budgetLimit,
  type ConfigDefaults,
  resolveDefaults,
  resolveServer,
  type ServerConfig,
} from './defaults.js';
import { readFileRefs } from './file-refs.js';
import { expandGlob } from './glob.js';
import { type ConfigIssue, issue, type SourcePosition, sortIssues } from './issue.js';
import { checkOptions, type LoadConfigOptions } from './load-options.js';
import { parseConfigText } from './parse-config.js';
import { parseResourceText, type ResourceEntry } from './parse-resource.js';
import { readText } from './read-text.js';
import { redactIssues } from './redact-issues.js';
import { durationMs } from './schema-parts.js';
import { type GitSourceConfig, resolveGitSources } from './sources-config.js';
import { resolveStore, type StoreConfig } from './store-config.js';

/** How one kind's provider is made: a built-in by name, or your own module. */
export interface ProviderConfig {
  /** A built-in provider (`file`, `http`, `memory`). */
  readonly use?: string;
  /** Absolute path of your own provider module. */
  readonly module?: string;
  /** As written in the config (after `${env:…}`); relative paths in it are relative to `dir`. */
  readonly options: Record<string, unknown>;
  /** This kind's progress deadline in ms, when the config sets one. */
  readonly progressDeadlineMs?: number;
  /** This kind's deletion budget, over `defaults.deletionBudget`. */
  readonly deletionBudget?: DeletionBudgetLimit;
  /** Where the entry's options (else its `use:` or `module:`) are: for a provider's complaints. */
  readonly source?: SourcePosition;
}

/** A config that passed every check: ready to hand to the runtime. */
export interface LoadedConfig {
  /** Absolute path of the config file. */
  readonly file: string;
  /** Its directory: the base of every relative path in it. */
  readonly dir: string;
  /** Absolute path of the state directory. */
  readonly state: string;
  /** Where the state lives: the state directory, or a PostgreSQL database (`store:`, `cluster:`). */
  readonly store: StoreConfig;
  readonly providers: Record<string, ProviderConfig>;
  /** Every resource, in file order (files in the order of `resources:`, each pattern's sorted). */
  readonly resources: Resource[];
  /** Where each resource's document starts, by key. */
  readonly sources: Map<string, SourcePosition>;
  /** Git repositories of resource documents (`sources:`), read by `run`, `plan` and `apply`. */
  readonly gitSources: GitSourceConfig[];
  readonly defaults: ConfigDefaults;
  readonly server: ServerConfig;
  /** Values to hide in logs and output: everything from `${env:NAME}` and `${file:PATH}`, and the server token. */
  readonly secrets: string[];
}

/**
 * A config that loaded, or every problem with it. A failed result carries the `secrets` read
 * before the checks failed, as a loaded one does: its issues already have them redacted (see
 * `redactIssues`), and anything else printed alongside them should be redacted with them too.
 */
export type ConfigResult =
  | { readonly ok: true; readonly config: LoadedConfig }
  | { readonly ok: false; readonly errors: ConfigIssue[]; readonly secrets: string[] };

export { DEFAULT_KNOWN_PROVIDERS, DEFAULT_MAX_FILE_BYTES, type LoadConfigOptions } from './load-options.js';

/**
 * Load and check a standalone config: `setpoint.yaml` and every resource file it names.
 *
 * ```ts
 * const result = await loadConfig('setpoint.yaml');
 * if (!result.ok) {
 *   console.error(formatIssues(result.errors, { relativeTo: process.cwd() }));
 *   process.exitCode = 1;
 * } else {
 *   runtime.setDesired(result.config.resources);
 * }
 * ```
 *
 * It reads files and nothing else: no provider is loaded or called. Every problem in the input
 * comes back at once, sorted by file and line; it never throws on bad input (only on misuse,
 * with a `TypeError`). Details of the format: `docs/cli.md` and `docs/decisions/0004-config-format.md`.
 */
export async function loadConfig(path: string, options: LoadConfigOptions = {}): Promise<ConfigResult> {
  const { env, knownProviders, maxFileBytes } = checkOptions(path, options);
  const file = resolve(path);
  const dir = dirname(file);
  const showFile = (f: string) => relative(dir, f).replaceAll('\\', '/') || f;

  const read = await readText(file, maxFileBytes, true);
  if (!read.ok) return { ok: false, errors: [read.issue], secrets: [] };
  const parsed = parseConfigText(read.text, file, {
    env,
    files: await readFileRefs(read.text, dir, maxFileBytes),
  });
  const issues: ConfigIssue[] = [...parsed.issues];
  const secrets = [...parsed.secrets];
  const { config, broken, locate } = parsed;

  const providers: Record<string, ProviderConfig> = {};
  for (const [kind, entry] of Object.entries(config.providers ?? {})) {
    const options = entry.options ?? {};
    const deadline =
      entry.progressDeadline === undefined ? {} : { progressDeadlineMs: durationMs(entry.progressDeadline) };
    const budget =
      entry.deletionBudget === undefined ? {} : { deletionBudget: budgetLimit(entry.deletionBudget) };
    const at = entry.options !== undefined ? 'options' : entry.use !== undefined ? 'use' : 'module';
    const source = locate(['providers', kind, at]);
    if (entry.use !== undefined) {
      providers[kind] = { use: entry.use, options, ...deadline, ...budget, source };
      if (!knownProviders.includes(entry.use)) {
        issues.push(
          issue(
            'unknown-provider',
            locate(['providers', kind, 'use']),
            `"${entry.use}" is not a built-in provider`,
            `use one of ${knownProviders.map((p) => `"${p}"`).join(', ')}, or module: ./path.js for your own`,
          ),
        );
      }
    } else if (entry.module !== undefined) {
      const module = resolve(dir, entry.module);
      providers[kind] = { module, options, ...deadline, ...budget, source };
      if (!(await isFile(module))) {
        issues.push(
          issue(
            'missing-module',
            locate(['providers', kind, 'module']),
            `provider module ${entry.module} not found (looked for ${module})`,
            "fix the path (relative to the config file's directory), or build the module first",
          ),
        );
      }
    }
  }

  if (config.resources === undefined && !broken.has('resources') && !broken.has('sources')) {
    if ((config.sources ?? []).length === 0) {
      issues.push(
        issue(
          'missing-field',
          locate([]),
          'the config declares no resources: it has neither resources: nor a Git source',
          'add resources: ["resources/*.yaml"] (files next to the config) or sources: [{ git: { url: … } }]',
        ),
      );
    }
  }
  // Resource files: the patterns, in order, each pattern's matches sorted, each file once.
  let complete = !broken.has('resources');
  const files: string[] = [];
  const patterns = config.resources ?? [];
  for (const [index, pattern] of patterns.entries()) {
    const found = await expandGlob(pattern, dir);
    const matches = found.files.filter((f) => f !== file);
    for (const unreadable of found.unreadable) {
      complete = false;
      issues.push(
        issue(
          'read-error',
          locate(['resources', index]),
          `directory ${showFile(unreadable)} could not be read while matching "${pattern}"`,
          'check its permissions',
        ),
      );
    }
    if (matches.length === 0 && found.unreadable.length === 0) {
      issues.push(
        issue(
          'no-match',
          locate(['resources', index]),
          `"${pattern}" matches no file`,
          `patterns are relative to ${dir}; fix the pattern, create a file it matches, or remove it`,
        ),
      );
    }
    for (const match of matches) if (!files.includes(match)) files.push(match);
  }

  const entries: ResourceEntry[] = [];
  const results = await Promise.all(files.map((f) => readText(f, maxFileBytes, false)));
  const refs = await Promise.all(
    results.map((r) => (r.ok ? readFileRefs(r.text, dir, maxFileBytes) : undefined)),
  );
  results.forEach((result, i) => {
    if (!result.ok) {
      complete = false;
      issues.push(result.issue);
      return;
    }
    const parsedFile = parseResourceText(result.text, files[i] as string, { env, files: refs[i] });
    complete &&= parsedFile.complete;
    entries.push(...parsedFile.entries);
    issues.push(...parsedFile.issues);
    secrets.push(...parsedFile.secrets);
  });

  const set = checkResources({
    entries,
    complete,
    providers: broken.has('providers') ? undefined : providers,
    showFile,
  });
  issues.push(...set.issues);
  const server = resolveServer(config.server);
  if (server.token !== undefined) secrets.push(server.token);
  const store = resolveStore(broken.has('store') ? undefined : config.store, config.cluster, locate);
  if (!broken.has('store')) issues.push(...store.issues);
  secrets.push(...store.secrets);
  if (issues.length > 0) {
    // Messages quote the values they refuse, and a value may hold a secret.
    const known = uniqueSecrets(secrets);
    return { ok: false, errors: redactIssues(sortIssues(issues), known), secrets: known };
  }
  return {
    ok: true,
    config: {
      file,
      dir,
      state: resolve(dir, config.state ?? '.setpoint'),
      store: store.store,
      providers,
      resources: set.resources,
      sources: set.sources,
      gitSources: resolveGitSources(config.sources),
      defaults: resolveDefaults(config.defaults),
      server,
      secrets: uniqueSecrets(secrets),
    },
  };
}

function uniqueSecrets(secrets: readonly string[]): string[] {
  return [...new Set(secrets)].filter((s) => s !== '');
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}
