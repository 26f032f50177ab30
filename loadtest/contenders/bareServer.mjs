// A bare node:http server that reads the request body and returns a fixed JSON body of a given
// size: the floor that any gateway's HTTP handling is compared with. The size is chosen per
// request with the `bytes` search parameter, so one server serves every operation.
// Settings: PORT.
import { createServer } from 'node:http';

const bodies = new Map();
function bodyOf(bytes) {
  let body = bodies.get(bytes);
  if (!body) {
    const filler = 'x'.repeat(Math.max(0, bytes - '{"data":{"filler":""}}'.length));
    body = Buffer.from(`{"data":{"filler":"${filler}"}}`);
    bodies.set(bytes, body);
  }
  return body;
}

const server = createServer((req, res) => {
  const bytes = Number(new URL(req.url ?? '/', 'http://localhost').searchParams.get('bytes') ?? 64);
  req.resume();
  req.on('end', () => {
    const body = bodyOf(Math.min(Math.max(bytes, 32), 1 << 20));
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 65_000;
server.listen(Number(process.env.PORT), '127.0.0.1', () => {
  process.stdout.write('bare server listening\n');
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
