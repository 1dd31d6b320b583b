import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { bearerMatches } from '../contract/bearer.js';
import type { FieldChange, Observed, Provider, ProviderContext } from '../contract/provider.js';
import type { Resource } from '../contract/resource.js';
import {
  AGENT_PROTOCOL,
  type AgentCall,
  type AgentError,
  type Heartbeat,
} from '../providers/node-protocol.js';
import type { Clock } from '../time/clock.js';

/**
 * A node agent: the provider of the things running on this node (the process provider),
 * served over HTTP to the orchestrator, which decides. The agent decides nothing: each call
 * is one provider operation, run when it arrives, answered with its result or its error.
 *
 * | route                      | body                          | answer                      |
 * |----------------------------|-------------------------------|-----------------------------|
 * | `GET  /v1/heartbeat`       |                               | `Heartbeat`                 |
 * | `GET  /v1/list`            |                               | `{ objects: { name: … } }`  |
 * | `POST /v1/observe`         | `{ name, spec }`              | `{ observed: … \| null }`   |
 * | `POST /v1/create`          | `{ name, spec }`              | `{ result }`                |
 * | `POST /v1/update`          | `{ name, spec, current, changes }` | `{ result }`           |
 * | `POST /v1/delete`          | `{ name, spec, current }`     | `{}`                        |
 * | `POST /v1/restart`         | `{ name, spec, current }`     | `{}`                        |
 *
 * Every route wants `Authorization: Bearer <token>`. A call's operation is aborted when its
 * client goes away. A provider's error is answered 500 with its name, message and `kind`, so
 * the orchestrator's `PermanentError` stays permanent across the wire.
 */
export interface AgentServerOptions {
  /** This node's name, as the orchestrator's resources name it. */
  readonly node: string;
  readonly provider: Provider;
  readonly token: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Default 127.0.0.1 and a free port. */
  readonly host?: string;
  readonly port?: number;
}

export interface AgentServer {
  readonly url: string;
  /** Changes at each start of the agent: the orchestrator reconciles what it placed here. */
  readonly bootId: string;
  close(): Promise<void>;
}

export async function createAgentServer(options: AgentServerOptions): Promise<AgentServer> {
  const { provider, clock, logger, node, token } = options;
  const bootId = randomUUID();
  const startedAt = clock.now();
  const open = new Set<AbortController>();

  const context = (name: string, signal: AbortSignal): ProviderContext => ({
    signal,
    clock,
    log: logger.child({ kind: provider.kind, name }),
  });
  const ref = (call: AgentCall): Resource => ({
    kind: provider.kind,
    name: call.name,
    spec: call.spec ?? {},
  });

  async function run(route: string, call: AgentCall, signal: AbortSignal): Promise<unknown> {
    const ctx = context(call.name, signal);
    switch (route) {
      case 'observe':
        return { observed: (await provider.observe(ref(call), ctx)) ?? null };
      case 'create':
        return { result: (await provider.create(ref(call), ctx)) ?? null };
      case 'update':
        return {
          result:
            (await provider.update(
              ref(call),
              (call.current ?? {}) as Observed,
              (call.changes ?? []) as FieldChange[],
              ctx,
            )) ?? null,
        };
      case 'delete':
        await provider.delete((call.current ?? {}) as Observed, ref(call), ctx);
        return {};
      case 'restart':
        if (!provider.restart) throw new Error(`the ${provider.kind} provider cannot restart`);
        await provider.restart((call.current ?? {}) as Observed, ref(call), ctx);
        return {};
      default:
        return undefined;
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (!bearerMatches(req.headers.authorization, token)) {
      return send(res, 401, {
        error: { name: 'Unauthorized', message: 'send Authorization: Bearer <token>' },
      });
    }
    const url = new URL(req.url ?? '/', 'http://agent');
    const route = url.pathname.replace(/^\/v1\//, '');
    if (req.method === 'GET' && route === 'heartbeat') {
      const beat: Heartbeat = { protocol: AGENT_PROTOCOL, node, bootId, startedAt, now: clock.now() };
      return send(res, 200, beat);
    }
    const controller = new AbortController();
    open.add(controller);
    res.on('close', () => controller.abort(new Error('the orchestrator went away')));
    try {
      if (req.method === 'GET' && route === 'list') {
        const ctx = context('*', controller.signal);
        const objects = provider.list ? await provider.list(ctx) : new Map<string, Observed>();
        return send(res, 200, { objects: Object.fromEntries(objects) });
      }
      if (req.method !== 'POST')
        return send(res, 405, errorOf(new Error(`${req.method} is not a route here`)));
      const call = await readCall(req);
      if (call instanceof Error) return send(res, 400, errorOf(call));
      if (typeof call?.name !== 'string' || call.name === '') {
        return send(res, 400, errorOf(new Error('the body needs a name')));
      }
      const answer = await run(route, call, controller.signal);
      if (answer === undefined) return send(res, 404, errorOf(new Error(`no route ${url.pathname}`)));
      send(res, 200, answer);
    } catch (error) {
      logger.warn({ route, err: String(error) }, 'agent call failed');
      send(res, 500, errorOf(error));
    } finally {
      open.delete(controller);
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) send(res, 500, errorOf(error));
    });
  });
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    bootId,
    close: async () => {
      for (const controller of open) controller.abort(new Error('the agent is stopping'));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Bodies larger than this are refused: a call carries one spec. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The request's JSON body as a call, or what is wrong with it. */
async function readCall(req: IncomingMessage): Promise<AgentCall | Error> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) return new Error(`the body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  try {
    const call = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    return typeof call === 'object' && call !== null
      ? (call as AgentCall)
      : new Error('the body is not a JSON object');
  } catch {
    return new Error('the body is not JSON');
  }
}

function errorOf(error: unknown): { error: AgentError } {
  const e = error as { name?: unknown; message?: unknown; kind?: unknown; retryAfterMs?: unknown };
  return {
    error: {
      name: typeof e?.name === 'string' ? e.name : 'Error',
      message: typeof e?.message === 'string' ? e.message : String(error),
      ...(typeof e?.kind === 'string' ? { kind: e.kind } : {}),
      ...(typeof e?.retryAfterMs === 'number' ? { retryAfterMs: e.retryAfterMs } : {}),
    },
  };
}

function send(res: ServerResponse, status: number, body: unknown): void {
  if (res.headersSent || res.destroyed) return;
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
