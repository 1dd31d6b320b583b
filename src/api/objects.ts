import { z } from 'zod';
import { formatDuration } from '../config/duration.js';
import { resourceDocumentSchema, toResource } from '../config/resource-schema.js';
import { keyOf, type Resource } from '../contract/resource.js';
import type { StoredObject } from '../store/desired/stored-object.js';

export type { StoredObject };

/** A label key: an optional DNS-like prefix and `/`, then a name (as Kubernetes labels are). */
const LABEL_KEY = /^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
/** A label value: empty, or up to 63 letters, digits, `-`, `_` and `.`, alphanumeric at both ends. */
const LABEL_VALUE = /^(|[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)$/;

export const labelsSchema = z
  .record(
    z.string().regex(LABEL_KEY, { error: (i) => `${JSON.stringify(i.input)} is not a label key` }),
    z.string().regex(LABEL_VALUE, {
      error: (i) =>
        `${JSON.stringify(i.input)} is not a label value: up to 63 letters, digits, "-", "_", "."`,
    }),
  )
  .meta({ description: 'Labels to select resources by (`team=payments`); they never change the spec.' });

/** A document a client writes: a resource document with labels; the counters are read-only but for `resourceVersion`. */
export const writeDocumentSchema = resourceDocumentSchema
  .extend({
    labels: labelsSchema.optional(),
    resourceVersion: z.int().min(0).optional().meta({
      description: 'The version this write was based on: refused with 409 when another write came first.',
    }),
    // Read-only fields a client may send back unchanged (a GET, edited, then PUT): ignored.
    source: z.string().optional().meta({ description: 'Read-only: the source that declares the resource.' }),
    generation: z.int().optional().meta({ description: 'Read-only.' }),
    observedGeneration: z.int().optional().meta({ description: 'Read-only.' }),
    status: z
      .record(z.string(), z.unknown())
      .nullable()
      .optional()
      .meta({ description: 'Read-only here: write it through /status.' }),
  })
  .meta({ title: 'setpoint resource (write)', description: 'A resource to create or replace.' });

export type WriteDocument = z.infer<typeof writeDocumentSchema>;

/** What the API answers with for one resource. */
export const objectSchema = z
  .strictObject({
    kind: z.string(),
    name: z.string(),
    labels: z.record(z.string(), z.string()),
    spec: z.record(z.string(), z.unknown()),
    dependsOn: z.array(z.string()).optional(),
    policy: z.record(z.string(), z.unknown()).optional(),
    source: z.string(),
    resourceVersion: z.int(),
    generation: z.int(),
    observedGeneration: z.int(),
    status: z.record(z.string(), z.unknown()).nullable(),
    conflicts: z
      .array(z.strictObject({ source: z.string(), message: z.string() }))
      .optional()
      .meta({ description: 'Other sources that declare this key too (their version is not applied).' }),
  })
  .meta({ title: 'setpoint resource', description: 'A resource as stored, with its versions and status.' });

export type ApiObject = z.infer<typeof objectSchema>;

/** A status write: what the reconciler saw, and the generation it acted on. */
export const statusWriteSchema = z
  .strictObject({
    status: z.record(z.string(), z.unknown()),
    observedGeneration: z.int().min(0).optional(),
    resourceVersion: z.int().min(0).optional(),
  })
  .meta({ title: 'status write', description: 'The status subresource: never changes the generation.' });

/** The resource a write document declares, and its labels. */
export function fromDocument(doc: WriteDocument): { resource: Resource; labels: Record<string, string> } {
  const {
    labels,
    resourceVersion: _v,
    source: _s,
    generation: _g,
    observedGeneration: _o,
    status: _t,
    ...rest
  } = doc;
  return { resource: toResource(rest), labels: labels ?? {} };
}

/** The API's view of a stored object. */
export function toApiObject(stored: StoredObject): ApiObject {
  const { resource } = stored;
  const object: ApiObject = {
    kind: resource.kind,
    name: resource.name,
    labels: { ...stored.labels },
    spec: resource.spec,
    source: stored.source,
    resourceVersion: stored.resourceVersion,
    generation: stored.generation,
    observedGeneration: stored.observedGeneration,
    status: stored.status === undefined ? null : { ...stored.status },
  };
  if (resource.dependsOn !== undefined) object.dependsOn = [...resource.dependsOn];
  if (resource.policy !== undefined) object.policy = policyDocument(resource.policy);
  return object;
}

/** A runtime policy back in the words of a resource file (`interval: 5m`). */
function policyDocument(policy: NonNullable<Resource['policy']>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (policy.drift !== undefined) out.drift = policy.drift;
  if (policy.intervalMs !== undefined) out.interval = formatDuration(policy.intervalMs);
  if (policy.maxRetries !== undefined) out.maxRetries = policy.maxRetries;
  if (policy.rollback !== undefined) out.rollback = policy.rollback;
  if (policy.progressDeadlineMs !== undefined)
    out.progressDeadline = formatDuration(policy.progressDeadlineMs);
  return out;
}

/** The document a client would write to get `stored` again (for a merge patch to apply to). */
export function toDocument(stored: StoredObject): Record<string, unknown> {
  const {
    source: _s,
    resourceVersion: _v,
    generation: _g,
    observedGeneration: _o,
    status: _t,
    ...doc
  } = toApiObject(stored);
  return doc;
}

export const keyOfObject = (stored: StoredObject): string => keyOf(stored.resource);
