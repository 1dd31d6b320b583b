import { createServer, type Socket, connect as tcpConnect } from 'node:net';

/**
 * A TCP proxy on 127.0.0.1 in front of one server (PostgreSQL), for one client process to
 * reach it through, so a test can cut that process off and let it back:
 *
 * - `cut('blackhole')` (the default) is a partition: nothing is forwarded any more either way,
 *   and new connections are accepted but never reach the server. Both ends stay open, so the
 *   server does not learn that the client is gone (its sessions, and their locks, live on), and
 *   the client's queries hang;
 * - `cut('reset')` destroys every connection at once (both ends see it) and refuses new ones;
 * - `heal()` forwards new connections again; connections held by a blackhole are destroyed.
 */
export interface TcpProxy {
  /** Where the client connects: 127.0.0.1 at this port. */
  readonly port: number;
  cut(mode?: 'blackhole' | 'reset'): void;
  heal(): void;
  close(): Promise<void>;
}

export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  let state: 'open' | 'blackhole' | 'reset' = 'open';
  const pairs = new Set<{ client: Socket; server: Socket | undefined }>();
  const destroy = (pair: { client: Socket; server: Socket | undefined }) => {
    pair.client.destroy();
    pair.server?.destroy();
    pairs.delete(pair);
  };
  const listener = createServer((client) => {
    client.on('error', () => {});
    if (state === 'reset') {
      client.destroy();
      return;
    }
    const pair: { client: Socket; server: Socket | undefined } = { client, server: undefined };
    pairs.add(pair);
    client.on('close', () => destroy(pair));
    if (state === 'blackhole') {
      client.on('data', () => {}); // swallowed
      return;
    }
    const server = tcpConnect(target.port, target.host);
    pair.server = server;
    server.on('error', () => {});
    server.on('close', () => destroy(pair));
    // Forward while open; once cut, whatever arrives is dropped.
    client.on('data', (chunk) => {
      if (state === 'open') server.write(chunk);
    });
    server.on('data', (chunk) => {
      if (state === 'open') client.write(chunk);
    });
  });
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const { port } = listener.address() as { port: number };
  return {
    port,
    cut(mode = 'blackhole') {
      state = mode;
      if (mode === 'reset') for (const pair of [...pairs]) destroy(pair);
    },
    heal() {
      if (state === 'blackhole') for (const pair of [...pairs]) destroy(pair);
      state = 'open';
    },
    async close() {
      for (const pair of [...pairs]) destroy(pair);
      await new Promise<void>((resolve) => listener.close(() => resolve()));
    },
  };
}
