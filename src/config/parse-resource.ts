import type { Resource } from '../contract/resource.js';
import { type ConfigIssue, issue, type SourcePosition } from './issue.js';
import { resourceDocumentSchema, toResource } from './resource-schema.js';
import { schemaIssues } from './schema-issues.js';
import { isPlainObject, keySchema, kindSchema, nameSchema } from './schema-parts.js';
import { parseYaml, type ReadTextOptions, type YamlDocument } from './yaml-source.js';

/** One resource document whose kind and name could be read, valid or not. */
export interface ResourceEntry {
  /** `kind/name`. */
  readonly key: string;
  readonly kind: string;
  readonly name: string;
  /** The resource, when the whole document is valid; `undefined` when it has schema issues. */
  readonly resource: Resource | undefined;
  /** The well-formed entries of `dependsOn` (all of them, for a valid document). */
  readonly dependsOn: readonly string[];
  /** Where `dependsOn` names `target` (the document's start if it does not). */
  dependencyAt(target: string): SourcePosition;
  /** Where the document starts. */
  readonly source: SourcePosition;
  /** Positions inside the document (see `YamlDocument.locate`). */
  readonly locate: YamlDocument['locate'];
}

export interface ResourceFileResult {
  readonly entries: ResourceEntry[];
  /**
   * False when some document is too broken to tell which resource it declares: checks that
   * need the whole set (missing dependencies) must then hold back, or they would blame the
   * resources that depend on it.
   */
  readonly complete: boolean;
  readonly issues: ConfigIssue[];
  /** Values substituted from `${env:NAME}`. */
  readonly secrets: string[];
}

/**
 * Read one resource file's text: one or more YAML documents of `{ kind, name, spec, dependsOn?,
 * policy? }`. Empty documents are skipped. Pure: reads nothing but its arguments, never throws.
 *
 * ```ts
 * const { entries, issues } = parseResourceText('kind: files\nname: motd\nspec: { path: motd.txt }\n', '/cfg/r.yaml');
 * entries[0]?.resource; // { kind: 'files', name: 'motd', spec: { path: 'motd.txt' } }
 * ```
 */
export function parseResourceText(
  text: string,
  file: string,
  options: ReadTextOptions = {},
): ResourceFileResult {
  const yaml = parseYaml(text, file, options.env ?? {}, options.files);
  const issues = [...yaml.issues];
  const entries: ResourceEntry[] = [];
  let complete = true;
  for (const doc of yaml.documents) {
    if (doc.empty) continue;
    if (!doc.usable) {
      complete = false;
      continue;
    }
    const value = doc.value;
    if (!isPlainObject(value)) {
      complete = false;
      issues.push(
        issue(
          'invalid-value',
          doc.start,
          'a resource document must be a mapping',
          'write kind:, name: and spec: (and optionally dependsOn:, policy:) as keys of the document',
        ),
      );
      continue;
    }
    const parsed = resourceDocumentSchema.safeParse(value, { reportInput: true });
    if (!parsed.success)
      issues.push(...schemaIssues(parsed.error.issues, doc, value, resourceDocumentSchema));
    const kind = kindSchema.safeParse(value.kind);
    const name = nameSchema.safeParse(value.name);
    if (!kind.success || !name.success) {
      complete = false;
      continue;
    }
    const dependsOn = Array.isArray(value.dependsOn)
      ? value.dependsOn.filter((key): key is string => keySchema.safeParse(key).success)
      : [];
    entries.push({
      key: `${kind.data}/${name.data}`,
      kind: kind.data,
      name: name.data,
      resource: parsed.success ? toResource(parsed.data) : undefined,
      dependsOn,
      dependencyAt: (target) => {
        const index = Array.isArray(value.dependsOn) ? value.dependsOn.indexOf(target) : -1;
        return index === -1 ? doc.start : doc.locate(['dependsOn', index]);
      },
      source: doc.start,
      locate: doc.locate,
    });
  }
  return { entries, complete, issues, secrets: yaml.secrets };
}
