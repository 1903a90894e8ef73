import { createServer } from 'node:http';
import type { Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { currentContext } from '../../core/context/context-store.js';
import { startStitch } from '../../setup/start-stitch.js';
import { stitchRequestListener } from './node-http.js';
import type { EdgeRequestListener } from './node-http.js';

const stitch = startStitch({ serviceName: 'edge-response-headers-test' });
const servers: Server[] = [];
afterAll(async () => {
  for (const server of servers) server.closeAllConnections();
  await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
  await stitch.shutdown();
});

async function serve(listener: EdgeRequestListener): Promise<string> {
  const server = createServer({ keepAliveTimeout: 100 }, stitchRequestListener(listener));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const body = (): string => JSON.stringify(currentContext());

// Every way node:http lets a handler write its head.
const heads: Record<string, (res: ServerResponse) => void> = {
  'writeHead(status, headers)': (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(body()),
  'writeHead(status, reason, headers)': (res) => res.writeHead(200, 'Fine', { 'content-type': 'application/json' }).end(body()),
  'writeHead(status, [name, value, …])': (res) => res.writeHead(200, ['content-type', 'application/json']).end(body()),
  'writeHead(status) after setHeader': (res) => {
    res.setHeader('content-type', 'application/json');
    res.writeHead(200).end(body());
  },
  'setHeader then end (implicit head)': (res) => {
    res.setHeader('content-type', 'application/json');
    res.end(body());
  },
  'end alone (implicit head)': (res) => res.end(body()),
  'flushHeaders before the body': (res) => {
    res.flushHeaders();
    res.end(body());
  },
};

describe('the edge answers its trace headers however the handler writes its head', () => {
  for (const [how, write] of Object.entries(heads)) {
    it(`${how}: x-trace-id, x-request-id and traceresponse once each, naming the request`, async () => {
      const base = await serve((_req, res) => write(res));
      const response = await fetch(base);
      const context = (await response.json()) as { traceId: string; requestId: string; spanId: string };
      expect(response.headers.get('x-trace-id')).toBe(context.traceId);
      expect(response.headers.get('x-request-id')).toBe(context.requestId);
      expect(response.headers.get('traceresponse')).toMatch(new RegExp(`^00-${context.traceId}-[0-9a-f]{16}-0[01]$`));
    });
  }

  it("lets the handler's own header of the same name win, in any case of its name, as setHeader would", async () => {
    const base = await serve((req, res) => {
      if (req.url === '/set') res.setHeader('x-trace-id', 'from-handler-set');
      res.writeHead(200, req.url === '/set' ? {} : { 'X-Request-Id': 'from-handler-head' }).end(body());
    });
    const head = await fetch(`${base}/head`);
    expect(head.headers.get('x-request-id')).toBe('from-handler-head');
    expect(head.headers.get('x-trace-id')).toMatch(/^[0-9a-f]{32}$/);
    const set = await fetch(`${base}/set`);
    expect(set.headers.get('x-trace-id')).toBe('from-handler-set');
    expect(set.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('still answers them on the error envelope when the handler wrote an invalid header', async () => {
    const base = await serve((_req, res) => {
      res.writeHead(200, { 'x-bad': 'line\nbreak' });
    });
    const response = await fetch(base);
    expect(response.status).toBe(500);
    const envelope = (await response.json()) as { error: { traceId: string; requestId: string } };
    expect(response.headers.get('x-request-id')).toBe(envelope.error.requestId);
    expect(response.headers.get('x-trace-id')).toBe(envelope.error.traceId);
  });
});
