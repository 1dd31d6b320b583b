import type { ServerResponse } from 'node:http';

export const TEXT_TYPE = 'text/plain; charset=utf-8';

/** Answer `status` with `body`, never cached; `headers` are added (the dashboard's policy). */
export function send(
  res: ServerResponse,
  status: number,
  type: string,
  body: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  res.writeHead(status, {
    ...headers,
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
  });
  res.end(res.req.method === 'HEAD' ? undefined : body);
}

/** 401, asking for the bearer token. */
export function unauthorized(res: ServerResponse, headers: Readonly<Record<string, string>> = {}): void {
  res.setHeader('www-authenticate', 'Bearer realm="setpoint"');
  send(res, 401, TEXT_TYPE, 'unauthorized: send Authorization: Bearer <server.token>\n', headers);
}
