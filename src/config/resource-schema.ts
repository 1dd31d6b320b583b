import { z } from 'zod';
import type { Resource, ResourcePolicy } from '../contract/resource.js';
import { RUNTIME_MINIMUMS as MIN } from '../runtime/defaults.js';
import {
  driftSchema,
  durationAtLeast,
  durationMs,
  type IssueParams,
  isPlainObject,
  keySchema,
  kindSchema,
  nameSchema,
} from './schema-parts.js';

/**
 * One document of a resource file:
 *
 * ```yaml
 * kind: files
 * name: motd
 * spec: { path: motd.txt, content: "hello\n" }
 * dependsOn: [files/etc]
 * policy: { drift: alert, interval: 5m, maxRetries: 3, rollback: true }
 * ```
 *
 * Strict: a key not listed here is an error, since a misspelt `dependson` silently ignored is a
 * dependency silently dropped. `spec` is free-form: its provider validates it.
 */
export const resourcePolicySchema = z
  .strictObject({
    drift: driftSchema.optional(),
    interval: durationAtLeast(MIN.intervalMs, 'Resync interval of this resource.').optional(),
    maxRetries: z
      .int()
      .min(MIN.maxRetries)
      .optional()
      .meta({ description: 'Failures before the resource is Degraded (0 or 1: on the first failure).' }),
    rollback: z.boolean().optional().meta({ description: 'When Degraded, apply the last spec that worked.' }),
    progressDeadline: durationAtLeast(
      MIN.progressDeadlineMs,
      'How long a change may stay progressing before it has failed.',
    ).optional(),
  })
  .meta({ description: "Overrides of the config's defaults for this resource." });

export const resourceDocumentSchema = z
  .strictObject({
    kind: kindSchema,
    name: nameSchema,
    spec: z
      .custom<Record<string, unknown>>(isPlainObject, {
        error: (i) => `spec must be a mapping of fields, got ${shapeOf(i.input)}`,
        params: {
          code: 'spec-not-object',
          hint: 'write spec as a mapping, e.g. spec: { path: motd.txt } (use spec: {} when there is nothing to set)',
        } satisfies IssueParams,
      })
      .meta({ type: 'object', description: "The desired state, in the provider's own fields." }),
    dependsOn: z.array(keySchema).optional().meta({
      description: 'Keys (kind/name) that must be Ready before this resource is created or updated.',
    }),
    policy: resourcePolicySchema.optional(),
  })
  .meta({
    title: 'setpoint resource',
    description: 'One resource, one YAML document of a resource file: its kind, name and desired spec.',
  });

export type ResourceDocument = z.infer<typeof resourceDocumentSchema>;

/** The runtime's `Resource` for a document the schema accepted. */
export function toResource(doc: ResourceDocument): Resource {
  const resource: { -readonly [K in keyof Resource]: Resource[K] } = {
    kind: doc.kind,
    name: doc.name,
    spec: doc.spec,
  };
  if (doc.dependsOn !== undefined) resource.dependsOn = doc.dependsOn;
  if (doc.policy !== undefined) {
    const policy: { -readonly [K in keyof ResourcePolicy]: ResourcePolicy[K] } = {};
    if (doc.policy.drift !== undefined) policy.drift = doc.policy.drift;
    if (doc.policy.interval !== undefined) policy.intervalMs = durationMs(doc.policy.interval);
    if (doc.policy.maxRetries !== undefined) policy.maxRetries = doc.policy.maxRetries;
    if (doc.policy.rollback !== undefined) policy.rollback = doc.policy.rollback;
    if (doc.policy.progressDeadline !== undefined) {
      policy.progressDeadlineMs = durationMs(doc.policy.progressDeadline);
    }
    resource.policy = policy;
  }
  return resource;
}

function shapeOf(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'string'
    ? `the string ${JSON.stringify(value)}`
    : `${typeof value} ${String(value)}`;
}
