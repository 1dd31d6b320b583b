import { formatDuration } from '../contract/duration-text.js';
import type { FieldChange } from '../contract/provider.js';
import { appendSegment } from './path.js';
import type { Plan, PlannedAction } from './plan.js';

export interface RenderOptions {
  /** ANSI colours: green for what is added, yellow for what changes, red for what goes. Default false. */
  readonly color?: boolean;
}

const NO_CHANGES = 'No changes. The desired state matches the observed state.';
const ANSI = { green: '\u001b[32m', yellow: '\u001b[33m', red: '\u001b[31m', reset: '\u001b[0m' } as const;

/**
 * A plan as text, in Terraform's grammar: `+` create, `~` update in place, `-/+` replace,
 * `-` delete, `=` adopt (take over an object that exists; its changes follow, if any), one
 * line per field, and the summary. Actions appear in the plan's order.
 *
 * ```text
 *   + files/motd
 *       + content: "hello\n"
 *       + path: "motd.txt"
 *
 *   ~ files/config
 *       ~ mode: "0644" -> "0600"
 *
 * -/+ files/data (replace)
 *       ~ path: "a" -> "b"
 *
 *   - files/old
 *
 *   = files/found (adopt)
 *       - owner: "ops"
 *
 * Plan: 2 to add, 1 to change, 2 to destroy, 1 to adopt.
 * ```
 *
 * Values are written as JSON. A created spec is listed leaf by leaf, nested objects as dotted
 * paths, sorted. A field the observed object lacks is `+ path: value`; a field removed (set by
 * setpoint before, dropped from the spec since) is `- path: value`. The adoptions are counted
 * only when there are some. The text has no final newline; an empty plan is
 * `No changes. The desired state matches the observed state.`
 */
export function renderPlan(plan: Plan, options: RenderOptions = {}): string {
  if (plan.actions.length === 0) return NO_CHANGES;
  const paint = options.color === true ? colorize : plain;
  const blocks = plan.actions.map((action) => renderAction(action, paint).join('\n'));
  const { add, change, destroy, adopt } = plan.summary;
  const adopted = adopt > 0 ? `, ${adopt} to adopt` : '';
  blocks.push(`Plan: ${add} to add, ${change} to change, ${destroy} to destroy${adopted}.`);
  const held = (plan.held ?? []).map(
    (h) =>
      `Deletion budget: ${h.through} of the ${h.deletes} deletes of ${h.kind} go ahead now (at most ${h.limit} per ${formatDuration(h.windowMs)}); ` +
      `an apply holds the other ${h.deletes - h.through} until they are approved.`,
  );
  if (held.length > 0) blocks.push(held.join('\n'));
  return blocks.join('\n\n');
}

/**
 * A plan as JSON (2-space indent), stable: the same plan always gives the same text, with the
 * fields of specs and values sorted. `format` names the schema version.
 */
export function renderPlanJson(plan: Plan): string {
  const actions = plan.actions.map((a) => {
    const head = { action: a.action, key: a.key, kind: a.kind, name: a.name };
    if (a.action === 'create') return { ...head, desired: canonical(a.desired) };
    if (a.action === 'delete') return { ...head, current: canonical(a.current) };
    return {
      ...head,
      changes: a.changes.map((c) => ({ path: c.path, old: canonical(c.old), new: canonical(c.new) })),
    };
  });
  const { add, change, destroy, adopt } = plan.summary;
  const summary = { add, change, destroy, adopt };
  const held = plan.held?.length ? { held: plan.held } : {};
  return JSON.stringify({ format: 'setpoint-plan/1', summary, actions, ...held }, null, 2);
}

type Sign = '+' | '~' | '-' | '-/+' | '=';
type Paint = (sign: Sign) => string;

const plain: Paint = (sign) => sign;

function colorize(sign: Sign): string {
  if (sign === '-/+') return `${ANSI.red}-${ANSI.reset}/${ANSI.green}+${ANSI.reset}`;
  const color = sign === '+' ? ANSI.green : sign === '~' || sign === '=' ? ANSI.yellow : ANSI.red;
  return `${color}${sign}${ANSI.reset}`;
}

function renderAction(action: PlannedAction, paint: Paint): string[] {
  const key = showKey(action.key);
  switch (action.action) {
    case 'create':
      return [
        `  ${paint('+')} ${key}`,
        ...leaves(action.desired, '').map(([p, v]) => field(paint, '+', p, show(v))),
      ];
    case 'update':
      return [`  ${paint('~')} ${key}`, ...action.changes.map((c) => changeLine(c, paint))];
    case 'replace':
      return [`${paint('-/+')} ${key} (replace)`, ...action.changes.map((c) => changeLine(c, paint))];
    case 'delete':
      return [`  ${paint('-')} ${key}`];
    case 'adopt':
      return [`  ${paint('=')} ${key} (adopt)`, ...action.changes.map((c) => changeLine(c, paint))];
  }
}

function changeLine(change: FieldChange, paint: Paint): string {
  if (change.old === undefined) return field(paint, '+', change.path, show(change.new));
  if (change.new === undefined) return field(paint, '-', change.path, show(change.old));
  return field(paint, '~', change.path, `${show(change.old)} -> ${show(change.new)}`);
}

function field(paint: Paint, sign: Sign, path: string, text: string): string {
  return `      ${paint(sign)} ${path === '' ? '(whole spec)' : path}: ${text}`;
}

/** The leaves of a created spec as [path, value], sorted by path. */
function leaves(
  value: Record<string, unknown>,
  prefix: string,
  out: [string, unknown][] = [],
): [string, unknown][] {
  for (const key of Object.keys(value)) {
    const child = value[key];
    const path = appendSegment(prefix, key);
    if (isRecord(child) && Object.keys(child).length > 0) leaves(child, path, out);
    else if (child !== undefined) out.push([path, child]);
  }
  if (prefix === '') out.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Date);
}

/** A value as JSON; what JSON cannot say (NaN, Infinity, undefined, functions) as JavaScript. */
function show(value: unknown): string {
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  if (typeof value === 'bigint') return `${value}n`;
  try {
    return (
      JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) ?? String(value)
    );
  } catch {
    return String(value); // a cyclic value: never in a spec read from JSON or YAML
  }
}

/** Keys holding control characters are quoted, so a name cannot write terminal escapes. */
function showKey(key: string): string {
  return /\p{Cc}/u.test(key) ? JSON.stringify(key) : key;
}

/** A copy fit for stable JSON: object fields sorted, bigints as strings. */
function canonical(value: unknown): unknown {
  if (typeof value === 'bigint') return value.toString();
  if (Array.isArray(value)) return value.map(canonical);
  if (!isRecord(value)) return value;
  const sorted: Record<string, unknown> = Object.create(null); // `__proto__` stays a plain field
  for (const key of Object.keys(value).sort()) sorted[key] = canonical(value[key]);
  return sorted;
}
