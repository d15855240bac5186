// The reference: a bare Fastify + undici proxy, the practical limit for a Node gateway on one core
// (performance.md). It does the least any gateway must do: parse the JSON request (a gateway routes
// by `model`), send it upstream over a keep-alive undici Pool, and pipe the answer back unparsed,
// JSON or SSE alike. The gateway is reported as a percentage of this.
//
// As a child process: UPSTREAM_ORIGIN=http://127.0.0.1:N node bench/reference-proxy.mjs listens on
// REFERENCE_PORT (0 = any free port), prints {"event":"listening","port":N}, exits when stdin closes.
import Fastify from 'fastify';
import { Pool } from 'undici';
import { pathToFileURL } from 'node:url';

const PASSED_HEADERS = ['content-type', 'content-length', 'cache-control', 'x-request-id'];

export async function startReferenceProxy({ upstreamOrigin, port = 0, host = '127.0.0.1' }) {
  const pool = new Pool(upstreamOrigin, {
    connections: 256,
    pipelining: 1,
    keepAliveTimeout: 30_000,
  });
  const app = Fastify({ logger: false, bodyLimit: 20 * 1024 * 1024 });

  app.post('/v1/chat/completions', async (request, reply) => {
    const upstream = await pool.request({
      method: 'POST',
      path: '/v1/chat/completions',
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer sk-reference',
        accept: request.body?.stream === true ? 'text/event-stream' : 'application/json',
      },
      body: JSON.stringify(request.body),
    });
    reply.code(upstream.statusCode);
    for (const name of PASSED_HEADERS) {
      const value = upstream.headers[name];
      if (value !== undefined) reply.header(name, value);
    }
    // undici's body is a Readable: Fastify pipes it, so SSE chunks go out as they arrive.
    return reply.send(upstream.body);
  });

  app.get('/health/ready', async () => ({ status: 'ok' }));
  app.addHook('onClose', async () => pool.close());

  await app.listen({ port, host });
  return { app, port: app.server.address().port };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const upstreamOrigin = process.env.UPSTREAM_ORIGIN;
  if (!upstreamOrigin) {
    process.stderr.write('reference proxy: UPSTREAM_ORIGIN is required\n');
    process.exit(2);
  }
  const { port } = await startReferenceProxy({
    upstreamOrigin,
    port: Number(process.env.REFERENCE_PORT ?? 0),
  });
  process.stdout.write(`${JSON.stringify({ event: 'listening', port })}\n`);
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
  process.on('SIGTERM', () => process.exit(0));
}
