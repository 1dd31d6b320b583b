import type { Resource } from '../../contract/resource.js';

/** The columns of a row of `resources` that make its resource. */
export interface ResourceRow {
  key: string;
  kind: string;
  name: string;
  spec: Record<string, unknown>;
  depends_on: string[] | null;
  policy: Record<string, unknown> | null;
}

export function toResource(row: ResourceRow): Resource {
  return {
    kind: row.kind,
    name: row.name,
    spec: row.spec,
    ...(row.depends_on ? { dependsOn: row.depends_on } : {}),
    ...(row.policy ? { policy: row.policy } : {}),
  };
}
