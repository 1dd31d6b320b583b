import type { SpecProblem } from '../contract/provider.js';
import { resolveInside } from './file-paths.js';
import { isRecord, optionError } from './options.js';

const MODE = /^[0-7]{4}$/;

/**
 * What is wrong with a `file` spec, every problem at once, reading nothing: the path (a
 * non-empty path that stays inside the root: no absolute path, no `..`), the type, the content
 * and the mode. The provider refuses a spec with a problem before any call (a permanent
 * error), and the desired-state API before storing it.
 */
export function fileSpecProblems(spec: unknown): SpecProblem[] {
  const bad = (field: string, value: unknown, expected: string): SpecProblem => ({
    path: field,
    message: optionError(`spec${field === '' ? '' : `.${field}`}`, value, expected).message,
  });
  if (!isRecord(spec)) return [bad('', spec, 'an object like { path: motd.txt }')];
  const problems: SpecProblem[] = [];
  if (typeof spec.path !== 'string' || spec.path.length === 0) {
    problems.push(bad('path', spec.path, 'a path relative to the root, like `etc/motd`'));
  } else {
    const inside = resolveInside('.', spec.path);
    if (!inside.ok)
      problems.push({ path: 'path', message: inside.errors[0]?.message ?? 'the path cannot be used' });
  }
  if (spec.type !== undefined && spec.type !== 'file' && spec.type !== 'directory') {
    problems.push(bad('type', spec.type, "'file' or 'directory'"));
  }
  if (spec.content !== undefined && typeof spec.content !== 'string') {
    problems.push(bad('content', spec.content, 'a string of UTF-8 text'));
  }
  if (spec.content !== undefined && spec.type === 'directory') {
    problems.push(bad('content', spec.content, 'absent for a directory'));
  }
  if (spec.mode !== undefined && (typeof spec.mode !== 'string' || !MODE.test(spec.mode))) {
    problems.push(
      bad('mode', spec.mode, 'four octal digits as a quoted string, like "0644" (in YAML, quote it)'),
    );
  }
  return problems;
}
