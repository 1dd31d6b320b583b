import { z } from 'zod';
import { JITTER_MODES } from '../backoff/jitter.js';
import { RUNTIME_MINIMUMS as MIN, RUNTIME_DEFAULTS } from '../runtime/defaults.js';
import { quote } from './issue.js';
import { DEFAULT_KNOWN_PROVIDERS } from './load-options.js';
import {
  driftSchema,
  durationAtLeast,
  durationMs,
  durationSchema,
  type IssueParams,
  kindSchema,
} from './schema-parts.js';
import { sourcesSchema } from './sources-config.js';
import { clusterSchema, storeSchema } from './store-config.js';

/**
 * The config file, `setpoint.yaml`:
 *
 * ```yaml
 * resources: ["resources/**\/*.yaml"]
 * state: .setpoint
 * providers:
 *   files: { use: file, options: { root: ./out } }
 *   buckets: { module: ./providers/buckets.js, options: {} }
 * defaults: { interval: 30s, backoff: { base: 1s, cap: 60s, jitter: full }, maxRetries: 5 }
 * server: { listen: "127.0.0.1:9464", token: "${env:SETPOINT_TOKEN}" }
 * ```
 *
 * Each top-level section is a schema of its own, so a broken `server:` does not hide what is
 * wrong (or right) in `resources:` and `providers:`.
 */
export const deletionBudgetSchema = z
  .strictObject({
    max: z
      .union([z.int().min(0), z.literal('unlimited')], {
        error: (i) =>
          `${quote(i.input)} is not a number of deletes: write a whole number from 0 up, or unlimited`,
      })
      .optional()
      .meta({
        description:
          'Deletes per window that go ahead without approval (at least). 0 with fraction 0: every delete waits; unlimited: no budget. Default 5.',
      }),
    fraction: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .meta({ description: "Or this share of the kind's managed resources, when more. Default 0.1." }),
    window: durationSchema
      .optional()
      .meta({ description: 'The window deletes are counted over; 0 counts each reload alone. Default 1h.' }),
  })
  .meta({
    description:
      'Deletes beyond this are held until approved (setpoint approve, or apply --approve-deletions).',
  });

export const providerEntrySchema = z
  .strictObject({
    use: z
      .string()
      .min(1)
      .optional()
      // The loader refuses any other name (unless a library caller widens `knownProviders`).
      .meta({
        description: 'A built-in provider: file, http, memory, process or node.',
        enum: [...DEFAULT_KNOWN_PROVIDERS],
      }),
    module: z
      .string()
      .min(1)
      .optional()
      .meta({ description: "Your own provider: a module path relative to the config file's directory." }),
    options: z
      .record(z.string(), z.unknown())
      .optional()
      .meta({
        description: 'Passed to the provider as it is.',
        // Refused by the loader: an object of options would lose it (see `protoKeys`).
        propertyNames: { type: 'string', not: { const: '__proto__' } },
      }),
    progressDeadline: durationAtLeast(
      MIN.progressDeadlineMs,
      "This kind's progress deadline, over defaults.progressDeadline.",
    ).optional(),
    deletionBudget: deletionBudgetSchema.optional(),
  })
  .superRefine((entry, ctx) => {
    if ((entry.use === undefined) === (entry.module === undefined)) {
      ctx.addIssue({
        code: 'custom',
        message:
          entry.use === undefined
            ? 'a provider needs use: (a built-in) or module: (your own)'
            : 'a provider has either use: or module:, not both',
        params: {
          code: 'invalid-provider',
          hint: 'write use: file (or http, memory, process, node) for a built-in, or module: ./path.js for your own',
        } satisfies IssueParams,
      });
    }
  })
  // Each branch names the key it requires among its own properties, as strict validators ask.
  .meta({
    oneOf: [
      { properties: { use: true }, required: ['use'] },
      { properties: { module: true }, required: ['module'] },
    ],
  });

export const backoffSchema = z
  .strictObject({
    base: durationSchema.optional(),
    cap: durationSchema.optional(),
    factor: z.number().min(1).max(100).optional().meta({ description: 'Growth per attempt. Default 2.' }),
    jitter: z.enum(JITTER_MODES as [string, ...string[]]).optional(),
  })
  .superRefine((backoff, ctx) => {
    const base = backoff.base === undefined ? RUNTIME_DEFAULTS.backoff.baseMs : durationMs(backoff.base);
    const cap = backoff.cap === undefined ? RUNTIME_DEFAULTS.backoff.capMs : durationMs(backoff.cap);
    if (cap < base) {
      ctx.addIssue({
        code: 'custom',
        path: [backoff.cap === undefined ? 'base' : 'cap'],
        message: `the backoff cap (${cap} ms) is below its base (${base} ms)`,
        params: { code: 'invalid-value', hint: 'raise cap or lower base: no delay is ever above the cap' },
      });
    }
  })
  .meta({ description: 'Delay between retries: min(base·factor^attempt, cap), then jitter.' });

export const defaultsSchema = z
  .strictObject({
    interval: durationAtLeast(MIN.intervalMs, 'Resync interval after success. Default 30s.').optional(),
    backoff: backoffSchema.optional(),
    maxRetries: z.int().min(MIN.maxRetries).optional().meta({
      description:
        'Failures before Degraded. Default 5; 0 (like 1): Degraded on the first failure, no retry.',
    }),
    progressDeadline: durationAtLeast(
      MIN.progressDeadlineMs,
      'How long a change may stay progressing before it has failed (Degraded). Default 10m.',
    ).optional(),
    hotLoop: z
      .strictObject({
        maxApplies: z
          .int()
          .min(MIN.hotLoopMaxApplies)
          .optional()
          .meta({ description: 'Applies at one generation allowed. Default 5.' }),
        window: durationAtLeast(MIN.hotLoopWindowMs, 'Within this long. Default 10m.').optional(),
      })
      .optional()
      .meta({ description: 'When applying again and again without staying in sync is a hot loop.' }),
    drift: driftSchema.optional(),
    prune: z
      .boolean()
      .optional()
      .meta({ description: 'Delete what this runtime created and no longer wants.' }),
    pruneAdopted: z.boolean().optional().meta({
      description:
        'Let prune delete adopted objects (found existing) too. Default false: they are released, left in place.',
    }),
    allowEmpty: z.boolean().optional().meta({ description: 'Let prune go down to zero resources.' }),
    deletionBudget: deletionBudgetSchema.optional(),
    rollback: z.boolean().optional().meta({ description: 'When Degraded, apply the last spec that worked.' }),
    concurrency: z
      .int()
      .min(MIN.concurrency)
      .optional()
      .meta({ description: 'Operations in flight per provider. Default 10.' }),
    timeout: durationAtLeast(MIN.timeoutMs, 'Timeout of one provider operation. Default 30s.').optional(),
    shutdownTimeout: durationAtLeast(MIN.shutdownMs, 'Graceful shutdown limit. Default 30s.').optional(),
  })
  .meta({ description: 'Settings for every resource, unless its policy says otherwise.' });

/** `host:port`, or `[v6-address]:port`. */
export function parseListen(text: string): { host: string; port: number } | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(text);
  if (match === null) return undefined;
  const port = Number(match[3]);
  if (port > 65_535) return undefined;
  return { host: match[1] ?? match[2] ?? '', port };
}

/**
 * What `parseListen` accepts, as one pattern for the JSON Schema: the port's range (0 to 65535,
 * leading zeros allowed) is spelt out in digits, since a pattern cannot compare numbers.
 */
export const LISTEN_PATTERN =
  '^(?:\\[[0-9A-Fa-f:.]+\\]|[A-Za-z0-9.-]+):(?:\\d{1,4}|[0-5]\\d{4}|6[0-4]\\d{3}|65[0-4]\\d{2}|655[0-2]\\d|6553[0-5])$';

export const serverSchema = z
  .strictObject({
    listen: z
      .string()
      .superRefine((text, ctx) => {
        if (parseListen(text) === undefined) {
          ctx.addIssue({
            code: 'custom',
            message: `${quote(text)} is not host:port`,
            params: {
              code: 'bad-listen',
              hint: 'write listen: "127.0.0.1:9464" (a port from 0 to 65535; [::1]:9464 for IPv6)',
            } satisfies IssueParams,
          });
        }
      })
      .optional()
      .meta({
        description: 'Where /healthz, /readyz, /metrics and /status listen. Default 127.0.0.1:9464.',
        pattern: LISTEN_PATTERN,
      }),
    token: z.string().min(1).optional().meta({
      description:
        'Bearer token every endpoint but /healthz requires (a secret: give it through an env reference).',
    }),
    dashboard: z
      .strictObject({
        enabled: z.boolean().optional().meta({ description: 'Serve the live dashboard at /. Default true.' }),
        reads: z.enum(['open', 'token']).optional().meta({
          description:
            'With a token set: open (default) shows the dashboard read-only to anyone who reaches the listener, secrets hidden; token asks for the token first. Actions always need the token.',
        }),
      })
      .optional()
      .meta({ description: 'The live dashboard at / of `setpoint run`.' }),
  })
  .meta({ description: 'The HTTP endpoint of `setpoint run`.' });

export const configSections = {
  resources: z.array(z.string().min(1)).min(1).optional().meta({
    description:
      "Files of resource documents: patterns relative to this file's directory. Required unless sources: names a Git repository.",
  }),
  sources: sourcesSchema.optional(),
  state: z.string().min(1).optional().meta({ description: 'State directory. Default .setpoint.' }),
  providers: z.record(kindSchema, providerEntrySchema).optional().meta({ description: 'Kind → provider.' }),
  defaults: defaultsSchema.optional(),
  server: serverSchema.optional(),
  store: storeSchema.optional(),
  cluster: clusterSchema.optional(),
};

export const configFileSchema = z.strictObject(configSections).meta({
  title: 'setpoint config',
  description: 'setpoint.yaml: where desired state comes from, and how to keep it.',
  // Resource files, a Git source, or both: the loader says so with a hint (see loadConfig).
  anyOf: [
    { properties: { resources: true }, required: ['resources'] },
    { properties: { sources: true }, required: ['sources'] },
  ],
});

export type ConfigFile = z.infer<typeof configFileSchema>;
export type ProviderEntry = z.infer<typeof providerEntrySchema>;
