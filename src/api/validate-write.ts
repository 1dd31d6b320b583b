import type { z } from 'zod';
import { describeError } from '../contract/errors.js';
import type { Provider, SpecProblem } from '../contract/provider.js';
import { keyOf, type Resource } from '../contract/resource.js';
import { type DesiredChange, type DesiredView, validateDesiredChange } from '../diff/desired-change.js';
import type { DesiredSetError } from '../diff/rules.js';
import { apiError, type Problem } from './api-error.js';
import { fromDocument, type WriteDocument, writeDocumentSchema } from './objects.js';

/** A provider's own check of a spec, before it is accepted: each problem with its field under `spec`. */
export type SpecCheck = (resource: Resource) => readonly Problem[];

/** A body as a write document, or a 422 with every problem the schema finds. */
export function parseDocument(body: unknown): WriteDocument {
  const parsed = writeDocumentSchema.safeParse(body);
  if (parsed.success) return parsed.data;
  throw invalid(parsed.error.issues.map(schemaProblem), 'the resource');
}

/** A zod issue as a problem: its path written `spec.path`, `dependsOn[0]`. */
export function schemaProblem(issue: z.core.$ZodIssue): Problem {
  if (issue.code === 'unrecognized_keys') {
    const at = fieldPath([...issue.path, issue.keys[0] ?? '']);
    return {
      code: issue.code,
      field: at,
      message: `${issue.message}${issue.path.length > 0 ? ` in ${fieldPath(issue.path)}` : ''}`,
    };
  }
  return { code: issue.code, field: fieldPath(issue.path), message: issue.message };
}

export function fieldPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out;
}

/**
 * Check a change by the rules every desired set keeps (`validateDesiredChange`: known kind,
 * dependencies declared, no cycle, nothing left depending on a removal) and the provider's
 * own check of each spec. Throws one 422 with every problem; returns when there is none.
 */
export function checkChange(
  change: DesiredChange,
  view: DesiredView,
  kinds: ReadonlySet<string>,
  checkSpec: SpecCheck | undefined,
): void {
  const problems: Problem[] = [];
  const checked = validateDesiredChange(change, view, kinds);
  if (!checked.ok) problems.push(...checked.errors.map(ruleProblem));
  if (checkSpec !== undefined) {
    for (const resource of change.set ?? []) {
      for (const p of checkSpec(resource))
        problems.push({ ...p, message: `${keyOf(resource)}: ${p.message}` });
    }
  }
  if (problems.length > 0) throw invalid(problems, describeChange(change));
}

/** The resource a document declares, for a write to `key` (the path's key must be the body's). */
export function resourceFor(doc: WriteDocument, key?: string) {
  const declared = fromDocument(doc);
  if (key !== undefined && keyOf(declared.resource) !== key) {
    throw apiError('BadRequest', `the body declares ${keyOf(declared.resource)}, but the path names ${key}`, {
      field: keyOf(declared.resource).startsWith(`${key.split('/')[0]}/`) ? 'name' : 'kind',
    });
  }
  return declared;
}

const RULE_FIELDS: Record<string, string> = {
  'unknown-kind': 'kind',
  'invalid-spec': 'spec',
  'self-dependency': 'dependsOn',
  'missing-dependency': 'dependsOn',
  cycle: 'dependsOn',
};

function ruleProblem(error: DesiredSetError): Problem {
  return { code: error.code, field: RULE_FIELDS[error.code] ?? '', message: error.message };
}

function invalid(problems: Problem[], what: string) {
  const first = problems[0] as Problem;
  return apiError(
    'Invalid',
    problems.length === 1
      ? `${what} is invalid: ${first.message}`
      : `${what} is invalid: ${problems.length} problems, the first: ${first.message}`,
    { field: first.field, problems },
  );
}

function describeChange(change: DesiredChange): string {
  const keys = [...(change.set ?? []).map(keyOf), ...(change.remove ?? [])];
  return keys.length === 1 ? (keys[0] as string) : 'the change';
}

/** The providers' own checks of a spec (`Provider.checkSpec`), as one check by kind. */
export function providerSpecCheck(providers: readonly Provider[]): SpecCheck {
  const byKind = new Map(providers.map((p) => [p.kind, p]));
  return (resource) => {
    const check = byKind.get(resource.kind)?.checkSpec;
    if (check === undefined) return [];
    let problems: readonly SpecProblem[];
    try {
      problems = check(resource.spec);
    } catch (error) {
      problems = [{ path: '', message: `the provider's check of the spec failed: ${describeError(error)}` }];
    }
    return problems.map((p) => ({
      code: 'invalid-spec',
      field: p.path === '' ? 'spec' : `spec.${p.path}`,
      message: p.message,
    }));
  };
}
