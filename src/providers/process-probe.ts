import { request } from 'node:http';
import { connect, createServer } from 'node:net';
import type { ProviderContext } from '../contract/provider.js';
import { runCheck } from './process-control.js';
import type { Probe } from './process-spec.js';

/**
 * The health probes of the `process` provider, each bounded by its timeout on the context's
 * clock: an HTTP `GET` answered 2xx, a TCP connection that opens, a command that exits 0.
 * Always to `127.0.0.1`. A probe that fails, errs or runs out of time says "not healthy"; only
 * the context's abort is thrown.
 */

/** Where and how a probe runs: the process's port, working directory and environment. */
export interface ProbeTarget {
  readonly port: number | undefined;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string>>;
}

export async function probeHealthy(
  probe: Probe,
  target: ProbeTarget,
  timeoutMs: number,
  ctx: ProviderContext,
): Promise<boolean> {
  if (ctx.signal.aborted) throw ctx.signal.reason;
  let healthy: boolean;
  if (probe.type === 'exec') {
    healthy = await runCheck({ ...probe, ...target, timeoutMs, clock: ctx.clock, signal: ctx.signal });
  } else {
    const port = probe.port ?? target.port;
    if (port === undefined) return false; // the spec check refuses this
    healthy = await bounded(timeoutMs, ctx, (signal) =>
      probe.type === 'http' ? httpOk(port, probe.path, signal) : tcpOpens(port, signal),
    );
  }
  if (ctx.signal.aborted) throw ctx.signal.reason;
  return healthy;
}

/** `attempt` with a signal that aborts after `ms` of clock time or with `ctx`'s. */
async function bounded(
  ms: number,
  ctx: ProviderContext,
  attempt: (signal: AbortSignal) => Promise<boolean>,
): Promise<boolean> {
  const controller = new AbortController();
  const abort = () => controller.abort();
  const timer = ctx.clock.setTimeout(abort, ms);
  ctx.signal.addEventListener('abort', abort, { once: true });
  try {
    return await attempt(controller.signal);
  } finally {
    ctx.clock.clearTimeout(timer);
    ctx.signal.removeEventListener('abort', abort);
  }
}

function httpOk(port: number, path: string, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        path,
        method: 'GET',
        agent: false,
        signal,
        headers: { connection: 'close' },
      },
      (res) => {
        const status = res.statusCode ?? 0;
        res.resume();
        req.destroy();
        resolve(status >= 200 && status < 300);
      },
    );
    req.on('error', () => resolve(false));
    req.end();
  });
}

function tcpOpens(port: number, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    const done = (open: boolean) => {
      signal.removeEventListener('abort', onAbort);
      socket.destroy();
      resolve(open);
    };
    const onAbort = () => done(false);
    if (signal.aborted) return done(false);
    signal.addEventListener('abort', onAbort, { once: true });
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
