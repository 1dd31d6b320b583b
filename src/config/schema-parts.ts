import { z } from 'zod';
import { DURATION_PATTERN, formatDuration, MAX_DURATION_MS, parseDuration } from './duration.js';
import { quote } from './issue.js';

/**
 * Pieces shared by the config-file and resource-document schemas. A zod issue from a custom
 * check carries `params: { code, hint }`, which `schemaIssues` turns into a `ConfigIssue`.
 */
export interface IssueParams {
  readonly code: string;
  readonly hint: string;
}

/** A kind names a provider: letters, digits, `.`, `_` and `-`, starting with a letter or digit. */
export const KIND_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*$';
/** A name is any run of visible characters (it may contain `/`). */
export const NAME_PATTERN = '^[^\\s\\x00-\\x1f\\x7f]+$';
/** A key is `kind/name`. */
export const KEY_PATTERN = '^[A-Za-z0-9][A-Za-z0-9._-]*/[^\\s\\x00-\\x1f\\x7f]+$';

export const kindSchema = z
  .string()
  .regex(new RegExp(KIND_PATTERN), {
    error: (i) => `${quote(i.input)} is not a kind: use letters, digits, ".", "_" and "-"`,
  })
  .meta({ description: 'The kind of resource; names the provider that manages it.', examples: ['files'] });

export const nameSchema = z
  .string()
  .regex(new RegExp(NAME_PATTERN), {
    error: (i) => `${quote(i.input)} is not a name: it must be non-empty, without spaces`,
  })
  .meta({ description: 'Unique within its kind; the key is kind/name.', examples: ['motd'] });

export const keySchema = z.string().regex(new RegExp(KEY_PATTERN), {
  error: (i) => `${quote(i.input)} is not a resource key: write kind/name, e.g. files/motd`,
});

export const driftSchema = z
  .enum(['enforce', 'alert', 'ignore'])
  .meta({ description: 'What to do when the real object drifts: correct it, report it, or leave it.' });

/** A duration: `500ms`, `30s`, `5m`, `1h`, `1h30m`, or a number of milliseconds. */
export const durationSchema = z
  .custom<string | number>((value) => parseDuration(value).ok, {
    error: (i) => {
      const result = parseDuration(i.input);
      return result.ok ? 'invalid duration' : result.reason;
    },
    params: {
      code: 'bad-duration',
      hint: 'write a duration like 500ms, 30s, 5m, 1h or 1h30m, or a whole number of milliseconds',
    } satisfies IssueParams,
  })
  .meta({
    description: 'A duration: 500ms, 30s, 5m, 1h, 1h30m, or a number of milliseconds.',
    anyOf: durationShapes(0),
    examples: ['30s'],
  });

/**
 * A duration of at least `minMs` (a limit of the runtime's, see `RUNTIME_MINIMUMS`): less is
 * refused with a hint, so what the schema accepts the runtime runs.
 */
export function durationAtLeast(minMs: number, description: string) {
  if (minMs <= 0) return durationSchema.meta({ description });
  return durationSchema
    .superRefine((value, ctx) => {
      const result = parseDuration(value);
      if (result.ok && result.ms < minMs) {
        ctx.addIssue({
          code: 'custom',
          message: `${quote(value)} is below the minimum of ${formatDuration(minMs)}`,
          params: {
            code: 'invalid-value',
            hint: `write ${formatDuration(minMs)} or more`,
          } satisfies IssueParams,
        });
      }
    })
    .meta({
      description: `${description} At least ${formatDuration(minMs)}.`,
      anyOf: durationShapes(minMs),
      examples: ['30s'],
    });
}

/**
 * The two shapes of a duration of at least `minMs`, for the JSON Schema. A number carries its
 * minimum; text is the loader's pattern, with the surrounding blanks it trims, and when a
 * minimum applies, at least one digit that is not 0 (`0s` or `0m0s` is below any minimum of
 * 1 ms or more). A text minimum above that (`50ms` under 100ms) is a comparison of values that
 * a pattern does not hold: the loader refuses it.
 */
export function durationShapes(minMs: number): Record<string, unknown>[] {
  const body = DURATION_PATTERN.slice(1, -1); // without its ^ and $
  const nonZero = minMs >= 1 ? '(?=.*[1-9])' : '';
  return [
    { type: 'integer', minimum: minMs, maximum: MAX_DURATION_MS },
    { type: 'string', pattern: `^\\s*(?=\\S)${nonZero}${body}\\s*$` },
  ];
}

/** The duration in ms of a value `durationSchema` accepted (0 for anything else). */
export function durationMs(value: string | number): number {
  const result = parseDuration(value);
  return result.ok ? result.ms : 0;
}

/** A mapping with string keys: not a list, not null, not a scalar. */
export function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
