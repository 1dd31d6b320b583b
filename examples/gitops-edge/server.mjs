// The service the gitops-edge example deploys to each node: a tiny HTTP server on $PORT.
//
//   GET /healthz  200 "ok" (the process provider's health probe)
//   GET /         "<SERVICE> <VERSION>", the version it was started with
//
// It stops on SIGTERM, closing its listener first, as a well-behaved service does.
import { createServer } from 'node:http';

const service = process.env.SERVICE ?? 'web';
const version = process.env.VERSION ?? '0';

const server = createServer((req, res) => {
  const path = new URL(req.url ?? '/', 'http://localhost').pathname;
  if (path === '/healthz') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('ok\n');
  } else if (path === '/') {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end(`${service} v${version}\n`);
  } else {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('not found\n');
  }
});

server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  console.log(`${service} v${version} listening on 127.0.0.1:${server.address().port}`);
});

process.on('SIGTERM', () => {
  console.log(`${service} v${version} stopping`);
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
