import { z } from 'zod';
import { packageVersion } from '../runtime/package-version.js';
import { objectSchema, statusWriteSchema, writeDocumentSchema } from './objects.js';
import { API_ROUTES } from './routes.js';

export { API_ROUTES, type ApiRoute } from './routes.js';

const errorSchema = z
  .strictObject({
    code: z.enum([
      'BadRequest',
      'Unauthorized',
      'Forbidden',
      'NotFound',
      'MethodNotAllowed',
      'AlreadyExists',
      'Conflict',
      'SourceConflict',
      'Gone',
      'PayloadTooLarge',
      'UnsupportedMediaType',
      'Invalid',
      'Unavailable',
    ]),
    message: z.string(),
    field: z.string().optional(),
    problems: z
      .array(z.strictObject({ code: z.string(), field: z.string(), message: z.string() }))
      .optional(),
    resourceVersion: z.int().optional().meta({ description: 'For a conflict: the version stored now.' }),
    owner: z
      .string()
      .optional()
      .meta({ description: 'For a source conflict: the source that owns the key.' }),
  })
  .meta({ title: 'error', description: 'Every refusal, in one shape.' });

const listSchema = z
  .strictObject({ resourceVersion: z.int(), items: z.array(objectSchema) })
  .meta({ title: 'resource list', description: 'Watch from `resourceVersion` to follow the list.' });

const watchEventSchema = z
  .strictObject({
    type: z.enum(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']),
    resourceVersion: z.int(),
    object: objectSchema.optional(),
    error: errorSchema.optional(),
    initial: z.boolean().optional().meta({
      description: 'One of the objects there when a watch without a version started (its event has no id).',
    }),
  })
  .meta({
    title: 'watch event',
    description:
      'The `data` of one Server-Sent Event; its `id` is the resource version (send it back as Last-Event-ID, or as ?resourceVersion=, to resume) and its `event` the type.',
  });

const STATUS_TEXT: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  400: 'Bad request (a body that is not JSON, nested too deep, a bad query)',
  401: 'No or wrong bearer token',
  403: 'Writes refused: no token set on a listener others can reach',
  404: 'No such resource',
  409: 'Conflict: another write came first (Conflict), the key exists (AlreadyExists), or another source owns it (SourceConflict)',
  410: 'The version is compacted away: list again',
  413: 'The body is too large',
  415: 'The body is not JSON',
  422: 'The resource breaks a rule: every problem is listed',
};

const schemaOf = (schema: z.ZodType, io: 'input' | 'output') => {
  const { $schema: _, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return json;
};

/** The OpenAPI 3.1 document of the desired-state API, from the schemas the server checks with. */
export function openApiDocument(): Record<string, unknown> {
  const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of API_ROUTES) {
    const parameters: unknown[] = [];
    for (const name of ['kind', 'name'] as const) {
      if (route.path.includes(`{${name}}`)) {
        parameters.push({
          name,
          in: 'path',
          required: true,
          schema: { type: 'string' },
          description: name === 'name' ? 'Percent-encoded (a `/` is `%2F`).' : undefined,
        });
      }
    }
    for (const name of route.query ?? []) {
      parameters.push({
        name,
        in: 'query',
        schema: name === 'resourceVersion' ? { type: 'integer', minimum: 0 } : { type: 'string' },
        description: QUERY_TEXT[name],
      });
    }
    if (route.ifMatch) {
      parameters.push({
        name: 'If-Match',
        in: 'header',
        schema: { type: 'string' },
        description: 'The resource version the write is based on, as an ETag: `"12"`.',
      });
    }
    const responses: Record<string, unknown> = {};
    for (const status of [...route.statuses, 400, 401]) {
      const ok = status < 300;
      responses[String(status)] = {
        description: STATUS_TEXT[status] ?? String(status),
        content: ok
          ? route.answer === 'WatchEvents'
            ? { 'text/event-stream': { schema: ref('WatchEvent') } }
            : route.answer === 'OpenApi'
              ? { 'application/json': { schema: { type: 'object' } } }
              : { 'application/json': { schema: ref(route.answer) } }
          : { 'application/json': { schema: ref('Error') } },
      };
    }
    const operation: Record<string, unknown> = {
      operationId: route.operationId,
      summary: route.summary,
      parameters,
      responses,
    };
    if (route.body !== undefined) {
      const type = route.body === 'MergePatch' ? 'application/merge-patch+json' : 'application/json';
      operation.requestBody = {
        required: true,
        content: { [type]: { schema: ref(route.body === 'MergePatch' ? 'MergePatch' : route.body) } },
      };
    }
    paths[route.path] = { ...paths[route.path], [route.method]: operation };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'setpoint desired-state API',
      version: packageVersion(),
      description:
        'Declare resources over HTTP: read, write and watch the desired state a setpoint instance (or group) reconciles. Every object carries resourceVersion, generation and observedGeneration.',
    },
    components: {
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'server.token, when one is set.' },
      },
      schemas: {
        Resource: schemaOf(objectSchema, 'output'),
        ResourceWrite: schemaOf(writeDocumentSchema, 'input'),
        StatusWrite: schemaOf(statusWriteSchema, 'input'),
        MergePatch: {
          type: 'object',
          description: 'A JSON merge patch of a ResourceWrite: null removes a field.',
        },
        ResourceList: schemaOf(listSchema, 'output'),
        WatchEvent: schemaOf(watchEventSchema, 'output'),
        Error: schemaOf(errorSchema, 'output'),
      },
    },
    security: [{ bearer: [] }, {}],
    paths,
  };
}

const QUERY_TEXT: Record<string, string> = {
  kind: 'Only resources of this kind.',
  labelSelector: 'Only resources whose labels match: `team=a,tier!=db,env in (prod,qa),owner`.',
  resourceVersion: 'For a write: the version it is based on. For a watch: resume after this version.',
};
