import type { Server } from 'node:http';
import { createRequire } from 'node:module';

/** The parts of json-server (a REST server package, CommonJS and untyped) these tests use. */
interface JsonServerModule {
  create(): {
    use(handler: unknown): void;
    listen(port: number, host: string, ready: () => void): Server;
  };
  router(db: Record<string, unknown[]>): unknown & { db: { getState(): Record<string, unknown[]> } };
  defaults(options: { logger: boolean }): unknown;
}

const jsonServer = createRequire(import.meta.url)('json-server') as JsonServerModule;

/** A json-server on 127.0.0.1 with one empty collection, and a log of the requests it served. */
export interface RestServer {
  /** The collection's address, e.g. `http://127.0.0.1:41234/users`. */
  readonly url: string;
  /** What the collection holds now. */
  items(): Record<string, unknown>[];
  /** `METHOD /path` of every request, in order. */
  readonly requests: string[];
  close(): Promise<void>;
}

/** Start json-server serving `collection` (initially `items`) on a free port of 127.0.0.1. */
export async function startJsonServer(collection: string, items: unknown[] = []): Promise<RestServer> {
  const app = jsonServer.create();
  const requests: string[] = [];
  app.use((req: { method: string; url: string }, _res: unknown, next: () => void) => {
    requests.push(`${req.method} ${req.url}`);
    next();
  });
  app.use(jsonServer.defaults({ logger: false }));
  const router = jsonServer.router({ [collection]: items });
  app.use(router);
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/${collection}`,
    items: () => router.db.getState()[collection] as Record<string, unknown>[],
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
