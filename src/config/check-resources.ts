import { posix, win32 } from 'node:path';
import type { Resource } from '../contract/resource.js';
import { orderByDependencies } from '../diff/graph.js';
import { RULES } from '../diff/rules.js';
import { resolveInside } from '../providers/file-paths.js';
import { type ConfigIssue, issue, type SourcePosition } from './issue.js';
import type { ResourceEntry } from './parse-resource.js';
import { closest } from './schema-issues.js';

export interface ResourceSetInput {
  /** Every resource document of every file, in file order. */
  readonly entries: readonly ResourceEntry[];
  /** False when some document could not be read far enough to know its key. */
  readonly complete: boolean;
  /** Kind → provider entry; `undefined` when the providers section itself is broken. */
  readonly providers: Readonly<Record<string, { readonly use?: string }>> | undefined;
  /** How to show a file in a message (e.g. relative to the config's directory). */
  readonly showFile: (file: string) => string;
}

export interface ResourceSet {
  /** The valid resources, each key once, in file order. */
  readonly resources: Resource[];
  /** Where each key's document starts. */
  readonly sources: Map<string, SourcePosition>;
  readonly issues: ConfigIssue[];
}

/**
 * The checks that need every file at once: duplicate keys, kinds without a provider, `file`
 * paths that leave the provider's root, and the dependency graph (cycles, self-dependencies,
 * missing dependencies, found by `orderByDependencies`). Pure. Each issue carries the message
 * of the rule it breaks (`RULES`, the same words `setDesired` uses), placed at its file and
 * line, with a hint of the config's own.
 */
export function checkResources(input: ResourceSetInput): ResourceSet {
  const issues: ConfigIssue[] = [];
  const first = new Map<string, ResourceEntry>();
  const resources: Resource[] = [];
  const sources = new Map<string, SourcePosition>();
  const kinds = input.providers === undefined ? [] : Object.keys(input.providers);

  for (const entry of input.entries) {
    const earlier = first.get(entry.key);
    if (earlier !== undefined) {
      const there = `${input.showFile(earlier.source.file)}:${earlier.source.line}`;
      issues.push(
        issue(
          'duplicate-resource',
          entry.source,
          RULES.uniqueKey.message(entry.key, `first at ${there}`),
          `give one of them another name, or remove one (the first is at ${there})`,
        ),
      );
      continue;
    }
    first.set(entry.key, entry);
    sources.set(entry.key, entry.source);
    if (entry.resource !== undefined) resources.push(entry.resource);

    if (input.providers !== undefined) {
      const provider = Object.hasOwn(input.providers, entry.kind) ? input.providers[entry.kind] : undefined;
      if (provider === undefined) {
        const near = closest(entry.kind, kinds);
        issues.push(
          issue(
            'unknown-kind',
            entry.locate(['kind']),
            RULES.knownKind.message(entry.key, entry.kind, kinds),
            near === undefined
              ? `add a provider for kind "${entry.kind}" under providers:, or fix the kind`
              : `did you mean kind "${near}"? Otherwise add a provider for "${entry.kind}" under providers:`,
          ),
        );
      } else if (provider.use === 'file' && entry.resource !== undefined) {
        const path = entry.resource.spec.path;
        if (typeof path === 'string' && escapesRoot(path)) {
          issues.push(
            issue(
              'path-escape',
              entry.locate(['spec', 'path']),
              `${entry.key}: path "${path}" leaves the file provider's root`,
              "write a path relative to the provider's options.root, without leading '..' or '/'",
            ),
          );
        } else if (path !== undefined) {
          // The provider's own check of a path (pure: it reads nothing), run now rather than
          // at the first apply: a NUL byte, the root itself, any `..` (a link on the way could
          // make `a/../b` leave the root), a path that is not a string.
          const checked = resolveInside('.', path);
          if (!checked.ok) {
            const climbs = typeof path === 'string' && path.split(/[\\/]/).includes('..');
            issues.push(
              issue(
                climbs ? 'path-escape' : 'invalid-value',
                entry.locate(['spec', 'path']),
                `${entry.key}: ${checked.errors[0]?.message ?? 'the path cannot be used'}`,
                "write the path of a file or directory under the provider's options.root, e.g. path: motd.txt",
              ),
            );
          }
        }
      }
    }
  }

  issues.push(...graphIssues(first, input.complete));
  return { resources, sources, issues };
}

/** Lexically: absolute, or climbing above its starting directory. */
export function escapesRoot(path: string): boolean {
  if (posix.isAbsolute(path) || win32.isAbsolute(path)) return true;
  const normal = posix.normalize(path.replaceAll('\\', '/'));
  return normal === '..' || normal.startsWith('../');
}

function graphIssues(entries: ReadonlyMap<string, ResourceEntry>, complete: boolean): ConfigIssue[] {
  const nodes = [...entries.values()].map((e) => ({
    kind: e.kind,
    name: e.name,
    spec: {},
    dependsOn: e.dependsOn,
  }));
  const order = orderByDependencies(nodes);
  if (order.ok) return [];
  const issues: ConfigIssue[] = [];
  for (const error of order.errors) {
    if (error.code === 'cycle') {
      const [head, next] = error.keys;
      const entry = head === undefined ? undefined : entries.get(head);
      if (entry === undefined || next === undefined) continue;
      issues.push(
        issue(
          'cycle',
          entry.dependencyAt(next),
          error.message,
          'remove one dependsOn entry in the cycle: a resource cannot wait for something that waits for it',
        ),
      );
    } else if (error.code === 'self-dependency') {
      const entry = entries.get(error.key);
      if (entry === undefined) continue;
      issues.push(
        issue(
          'self-dependency',
          entry.dependencyAt(error.key),
          error.message,
          `remove ${error.key} from its own dependsOn`,
        ),
      );
    } else if (error.code === 'missing-dependency' && complete) {
      const entry = entries.get(error.key);
      if (entry === undefined) continue;
      const near = closest(error.dependsOn, [...entries.keys()]);
      issues.push(
        issue(
          'missing-dependency',
          entry.dependencyAt(error.dependsOn),
          error.message,
          near === undefined
            ? `declare ${error.dependsOn} in a resource file, or remove it from dependsOn`
            : `did you mean ${near}? Otherwise declare ${error.dependsOn}, or remove it from dependsOn`,
        ),
      );
    }
  }
  return issues;
}
