// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${env:NAME} is the config syntax for environment references
import { z } from 'zod';
import { durationAtLeast, durationMs } from './schema-parts.js';

/**
 * Where desired state comes from beside the `resources:` files: Git repositories.
 *
 * ```yaml
 * sources:
 *   - git:
 *       url: https://git.example/deployments.git   # or a path, file://, git://, ssh://
 *       ref: main                                  # a branch, a tag or a commit
 *       path: site-a                               # the directory of resource files in it
 *       interval: 1m                               # how often it is fetched
 * ```
 */
export const SOURCE_DEFAULTS = { ref: 'main', path: '.', intervalMs: 60_000, name: 'git' } as const;
export const SOURCE_MINIMUMS = { intervalMs: 1000 } as const;

export const gitSourceSchema = z
  .strictObject({
    url: z.string().min(1).meta({
      description:
        'The repository: a path, file://, git://, ssh:// or https:// URL. Credentials through an env reference (${env:NAME}); never logged.',
    }),
    ref: z.string().min(1).optional().meta({ description: 'Branch, tag or commit to follow. Default main.' }),
    path: z.string().min(1).optional().meta({
      description: 'Directory in the repository whose *.yaml files are read (recursively). Default the root.',
    }),
    interval: durationAtLeast(SOURCE_MINIMUMS.intervalMs, 'How often to fetch. Default 1m.').optional(),
    name: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,62}$/, {
        error: 'a source name is lowercase letters, digits and "-", starting with a letter',
      })
      .optional()
      .meta({
        description: 'The source name its resources carry (with more than one Git source). Default git.',
      }),
  })
  .meta({ description: 'A Git repository of resource documents, fetched on an interval and on demand.' });

export const sourcesSchema = z
  .array(z.strictObject({ git: gitSourceSchema }))
  .min(1)
  .meta({ description: 'Where else desired state comes from: Git repositories.' });

/** A Git source as the runtime uses it: defaults applied. */
export interface GitSourceConfig {
  readonly name: string;
  readonly url: string;
  readonly ref: string;
  readonly path: string;
  readonly intervalMs: number;
}

export function resolveGitSources(sources: z.infer<typeof sourcesSchema> | undefined): GitSourceConfig[] {
  return (sources ?? []).map(({ git }) => ({
    name: git.name ?? SOURCE_DEFAULTS.name,
    url: git.url,
    ref: git.ref ?? SOURCE_DEFAULTS.ref,
    path: git.path ?? SOURCE_DEFAULTS.path,
    intervalMs: git.interval === undefined ? SOURCE_DEFAULTS.intervalMs : durationMs(git.interval),
  }));
}
