/**
 * A small JSON CRUD server: one collection of named objects, kept in a `Map`. It is the real
 * system the http example reconciles against, and the server the http provider's tests use.
 *
 *   npx tsx examples/http-crud/server.ts --port 8080 --path /users
 *
 * | request                 | answer                                                         |
 * |-------------------------|----------------------------------------------------------------|
 * | `GET {path}`            | 200, an array of every object                                  |
 * | `POST {path}`           | 201 and the object; 409 when its `name` exists; 400 without one |
 * | `GET {path}/{name}`     | 200 and the object, or 404                                     |
 * | `PUT {path}/{name}`     | 201 (created) or 200 (replaced), and the object                |
 * | `PATCH {path}/{name}`   | 200 after a JSON merge patch (`null` removes a field), or 404  |
 * | `DELETE {path}/{name}`  | 204, or 404                                                    |
 *
 * Every stored object carries its name in `name`. Faults for tests: `failNext(status, headers)`
 * answers the next request with that status (calls queue up), `hangNext()` never answers it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

export type Item = Record<string, unknown>;

export interface RecordedRequest {
  readonly method: string;
  readonly path: string;
  /** The parsed JSON body, if there was one. */
  readonly body: unknown;
  readonly headers: IncomingMessage['headers'];
}

export interface CrudServer {
  /** The collection's address, e.g. `http://127.0.0.1:41234/items`: the http provider's `baseUrl`. */
  readonly url: string;
  /** The objects, by name. Change them to simulate someone else's edits. */
  readonly items: Map<string, Item>;
  /** Every request received, in order. */
  readonly requests: RecordedRequest[];
  /** Answer the next request with `status`, these headers and a JSON `{ message }` body. */
  failNext(status: number, headers?: Record<string, string>, message?: string): void;
  /** Never answer the next request (until `close`). */
  hangNext(): void;
  close(): Promise<void>;
}

export interface CrudServerOptions {
  /** Default 0: any free port. */
  readonly port?: number;
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** The collection's path. Default `/items`. */
  readonly path?: string;
}

type Fault =
  | { readonly hang: true }
  | { readonly status: number; readonly headers: Record<string, string>; readonly message: string };

export async function startCrudServer(options: CrudServerOptions = {}): Promise<CrudServer> {
  const { port = 0, host = '127.0.0.1' } = options;
  const path = `/${(options.path ?? '/items').replace(/^\/+|\/+$/g, '')}`;
  const items = new Map<string, Item>();
  const requests: RecordedRequest[] = [];
  const faults: Fault[] = [];

  const server = createServer((req, res) => {
    readBody(req).then(
      (text) => {
        const reply = handle(req, text);
        if (reply !== 'hang') send(res, reply); // a hung request is never answered; close() ends it
      },
      () => send(res, answer(400, { message: 'could not read the request body' })),
    );
  });

  function handle(req: IncomingMessage, text: string): Answer | 'hang' {
    const method = req.method ?? 'GET';
    const pathname = new URL(req.url ?? '/', 'http://localhost').pathname;
    let body: unknown;
    try {
      body = text === '' ? undefined : JSON.parse(text);
    } catch {
      requests.push({ method, path: pathname, body: text, headers: req.headers });
      return answer(400, { message: 'the body is not valid JSON' });
    }
    requests.push({ method, path: pathname, body, headers: req.headers });
    const fault = faults.shift();
    if (fault && 'hang' in fault) return 'hang';
    if (fault) return answer(fault.status, { message: fault.message }, fault.headers);

    if (pathname === path) {
      if (method === 'GET') return answer(200, [...items.values()]);
      if (method !== 'POST') return answer(405, { message: `${method} is not allowed on the collection` });
      if (!isItem(body) || typeof body.name !== 'string' || body.name === '') {
        return answer(400, { message: 'expected a JSON object with a string `name`' });
      }
      if (items.has(body.name)) return answer(409, { message: `\`${body.name}\` already exists` });
      items.set(body.name, body);
      return answer(201, body);
    }
    const rest = pathname.startsWith(`${path}/`) ? pathname.slice(path.length + 1) : '';
    if (rest === '' || rest.includes('/')) return answer(404, { message: `no route for ${pathname}` });
    const name = decodeURIComponent(rest);
    const existing = items.get(name);
    switch (method) {
      case 'GET':
        return existing ? answer(200, existing) : answer(404, { message: `\`${name}\` not found` });
      case 'PUT': {
        if (!isItem(body)) return answer(400, { message: 'expected a JSON object' });
        const item = { ...body, name };
        items.set(name, item);
        return answer(existing ? 200 : 201, item);
      }
      case 'PATCH': {
        if (!existing) return answer(404, { message: `\`${name}\` not found` });
        if (!isItem(body)) return answer(400, { message: 'expected a JSON merge patch object' });
        const item = { ...(mergePatch(existing, body) as Item), name };
        items.set(name, item);
        return answer(200, item);
      }
      case 'DELETE':
        if (!existing) return answer(404, { message: `\`${name}\` not found` });
        items.delete(name);
        return answer(204);
      default:
        return answer(405, { message: `${method} is not allowed` });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const hostPart = address.family === 'IPv6' ? `[${address.address}]` : address.address;

  return {
    url: `http://${hostPart}:${address.port}${path}`,
    items,
    requests,
    failNext(status, headers = {}, message = `injected ${status}`) {
      faults.push({ status, headers, message });
    },
    hangNext() {
      faults.push({ hang: true });
    },
    close() {
      return new Promise((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

/** RFC 7396: objects merge key by key, `null` removes, anything else replaces. */
function mergePatch(target: unknown, patch: unknown): unknown {
  if (!isItem(patch)) return patch;
  const result: Item = isItem(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = mergePatch(result[key], value);
  }
  return result;
}

function isItem(value: unknown): value is Item {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
}

function answer(status: number, body?: unknown, headers: Record<string, string> = {}): Answer {
  return { status, body, headers };
}

function send(res: ServerResponse, { status, body, headers }: Answer): void {
  if (body === undefined) {
    res.writeHead(status, headers).end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

// Run standalone: `npx tsx examples/http-crud/server.ts [--port 8080] [--host 127.0.0.1] [--path /users]`.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '8080' },
      host: { type: 'string' },
      path: { type: 'string' },
    },
  });
  const server = await startCrudServer({
    port: Number(values.port),
    ...(values.host !== undefined && { host: values.host }),
    ...(values.path !== undefined && { path: values.path }),
  });
  console.log(`CRUD server listening on ${server.url}`);
  const stop = (): void => {
    server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}
