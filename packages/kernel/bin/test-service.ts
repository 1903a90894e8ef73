/**
 * The W3C Trace Context conformance test service, built only from the kernel's own parts: the
 * `node:http` edge (extract; continue a valid context, otherwise start a new trace) and HTTP
 * out (one CLIENT span per call, exactly one `traceparent`, `tracestate` when present).
 *
 *   npm run test-service -w packages/kernel -- --port 5000 [--host 127.0.0.1] [--trust-all]
 *
 * `POST /test` takes `[{ "url": "<absolute http URL>", "arguments": <JSON> }, …]` and, in order,
 * sends `POST <url>` with `JSON.stringify(arguments)` as an `application/json` body, waiting
 * for each response, then answers 200. No incoming header is copied to the calls. Any
 * `http://` destination is allowed, loopback included: this is a test tool, never a service.
 *
 * The edge continues trace headers only from trusted upstreams (loopback by default, where the
 * W3C harness runs); `--trust-all` trusts every caller.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { StitchError } from '../src/core/errors/stitch-error.js';
import { notFoundError } from '../src/hops/edge/error-envelope.js';
import { stitchRequestListener } from '../src/hops/edge/node-http.js';
import { installHttpOut } from '../src/hops/http-out/install-http-out.js';
import { startStitch } from '../src/setup/start-stitch.js';

const TestCallsSchema = z.array(
  z.object({
    url: z.url({ protocol: /^https?$/ }),
    arguments: z.unknown(),
  }),
);

const MAX_BODY_BYTES = 1024 * 1024;

/** A running test service. */
export interface TestService {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Starts the conformance test service on `port` (0: any free port).
 *
 * @example
 *   const service = await startTestService({ port: 0 });
 *   await fetch(`${service.url}/test`, { method: 'POST', body: JSON.stringify([{ url, arguments: [] }]) });
 */
export async function startTestService(options: { port: number; host?: string; trustAll?: boolean }): Promise<TestService> {
  const stitch = startStitch({
    serviceName: 'stitch-test-service',
    // Nothing to export to by default; OTEL_TRACES_EXPORTER still chooses one when set.
    ...(process.env.OTEL_TRACES_EXPORTER === undefined && { tracing: { export: { exporter: 'none' } } }),
  });
  const uninstallHttpOut = installHttpOut({ fetch: true, nodeHttp: false });
  const listener = stitchRequestListener(
    async (req, res) => {
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/test') throw notFoundError(req.method ?? '', req.url ?? '');
      const calls = TestCallsSchema.safeParse(await readJson(req));
      if (!calls.success) throw new StitchError('STITCH_ERR_EDGE_BAD_REQUEST', { detail: calls.error.issues[0]?.message ?? 'not an array of {url, arguments}' });
      for (const call of calls.data) {
        const response = await fetch(call.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(call.arguments),
        });
        await response.arrayBuffer();
      }
      res.statusCode = 200;
      res.end();
    },
    {
      routes: ['/test'],
      ...(options.trustAll === true && { trustedUpstreams: ['0.0.0.0/0', '::/0'] }),
    },
  );
  const server: Server = createServer(listener);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    url: `http://${host}:${address.port}`,
    async close() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      uninstallHttpOut();
      await stitch.shutdown();
    },
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of req) {
    bytes += (chunk as Buffer).length;
    if (bytes > MAX_BODY_BYTES) throw new StitchError('STITCH_ERR_EDGE_PAYLOAD_TOO_LARGE', { limit: MAX_BODY_BYTES });
    chunks.push(chunk as Buffer);
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
  } catch {
    throw new StitchError('STITCH_ERR_EDGE_BAD_REQUEST', { detail: 'the body is not JSON' });
  }
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      port: { type: 'string', default: '5000' },
      host: { type: 'string', default: '127.0.0.1' },
      'trust-all': { type: 'boolean', default: false },
    },
  });
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) {
    console.error(`--port must be an integer from 0 to 65535, got ${values.port}`);
    process.exit(2);
  }
  const service = await startTestService({ port, host: values.host, trustAll: values['trust-all'] });
  console.log(`test service listening on ${service.url}`);
  const stop = (): void => {
    void service.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
