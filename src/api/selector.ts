import { apiError } from './api-error.js';

/**
 * A label selector, as Kubernetes writes them: requirements separated by commas, all of which
 * must hold.
 *
 * | requirement | holds when |
 * |---|---|
 * | `team=payments`, `team==payments` | the label is there with that value |
 * | `team!=payments` | the label is absent or has another value |
 * | `team in (a,b)` / `team notin (a,b)` | the value is (is not) one of the list |
 * | `team` / `!team` | the label is there (absent) |
 */
export type Selector = (labels: Readonly<Record<string, string>>) => boolean;

type Requirement = (labels: Readonly<Record<string, string>>) => boolean;

const KEY = '[A-Za-z0-9][-A-Za-z0-9_./]*';
const VALUE = '[-A-Za-z0-9_.]*';
const EQUALS = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^)]*)\\)$`);
const EXISTS = new RegExp(`^(!?)(${KEY})$`);

/** Parse `text`; an empty selector selects everything. Throws a 400 `ApiError` naming the part it cannot read. */
export function parseSelector(text: string | null | undefined): Selector {
  if (text === null || text === undefined || text.trim() === '') return () => true;
  const requirements = splitTopLevel(text).map(requirement);
  return (labels) => requirements.every((r) => r(labels));
}

function requirement(part: string): Requirement {
  const text = part.trim();
  let m = EQUALS.exec(text);
  if (m) {
    const [, key = '', op, value = ''] = m;
    return op === '!=' ? (l) => l[key] !== value : (l) => Object.hasOwn(l, key) && l[key] === value;
  }
  m = SET.exec(text);
  if (m) {
    const [, key = '', op, list = ''] = m;
    const values = new Set(list.split(',').map((v) => v.trim()));
    return op === 'in'
      ? (l) => Object.hasOwn(l, key) && values.has(l[key] as string)
      : (l) => !Object.hasOwn(l, key) || !values.has(l[key] as string);
  }
  m = EXISTS.exec(text);
  if (m) {
    const [, not, key = ''] = m;
    return not ? (l) => !Object.hasOwn(l, key) : (l) => Object.hasOwn(l, key);
  }
  throw apiError(
    'BadRequest',
    `labelSelector: cannot read ${JSON.stringify(text)}: write key=value, key!=value, key in (a,b), key or !key`,
    {
      field: 'labelSelector',
    },
  );
}

/** Split on commas that are not inside parentheses. */
function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
