/**
 * The conformance test service, started the way the W3C harness starts it
 * (`npm run test-service -w packages/kernel -- --port N`), against a local receiver.
 */
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';

interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly rawHeaders: string[];
  readonly body: string;
  readonly arrivedAt: number;
  respondedAt?: number;
}

let received: Received[] = [];
let receiver: Server;
let receiverUrl = '';
let service: ChildProcess;
let serviceUrl = '';

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      const entry: Received = { path: req.url ?? '', headers: req.headers, rawHeaders: req.rawHeaders, body, arrivedAt: performance.now() };
      received.push(entry);
      // The first call answers late: the second must still wait for it.
      setTimeout(() => {
        entry.respondedAt = performance.now();
        res.end('ok');
      }, req.url === '/slow' ? 50 : 0);
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  service = spawn('npm', ['run', '--silent', 'test-service', '-w', 'packages/kernel', '--', '--port', '0'], {
    cwd: ROOT,
    detached: true,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  serviceUrl = await new Promise<string>((resolve, reject) => {
    let out = '';
    service.stdout?.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(out);
      if (match?.[1] !== undefined) resolve(match[1]);
    });
    service.once('exit', (code) => reject(new Error(`test service exited with ${code}: ${out}`)));
  });
});

afterAll(async () => {
  // npm → sh → tsx → node: end the whole process group this test started.
  if (service.pid !== undefined) process.kill(-service.pid, 'SIGTERM');
  receiver.closeAllConnections();
  await new Promise((resolve) => receiver.close(resolve));
});

beforeEach(() => {
  received = [];
});

async function postTest(calls: unknown, headers: [string, string][] = []): Promise<Response> {
  return fetch(`${serviceUrl}/test`, { method: 'POST', headers: [['content-type', 'application/json'], ...headers], body: JSON.stringify(calls) });
}

const parse = (traceparent: string | string[] | undefined): { traceId: string; spanId: string; flags: string } => {
  const [, traceId = '', spanId = '', flags = ''] = String(traceparent).split('-');
  return { traceId, spanId, flags };
};

describe('the conformance test service', () => {
  it('continues a valid context: each call, in order, gets exactly one traceparent with a new span id, the flags and the tracestate', async () => {
    const calls = [
      { url: `${receiverUrl}/slow`, arguments: [{ url: 'x', arguments: [] }] },
      { url: `${receiverUrl}/second`, arguments: { n: 2 } },
    ];
    const response = await postTest(calls, [
      ['traceparent', `00-${TRACE}-${PARENT}-01`],
      ['tracestate', 'foo=1,bar=2'],
      ['x-not-to-copy', 'secret'],
      ['authorization', 'Bearer abc'],
    ]);
    expect(response.status).toBe(200);
    // 200 only after both calls finished, and the second sent only after the first answered.
    expect(received).toHaveLength(2);
    const [first, second] = received as [Received, Received];
    expect(second.arrivedAt).toBeGreaterThanOrEqual(first.respondedAt ?? Infinity);
    expect(first.path).toBe('/slow');
    expect(first.body).toBe(JSON.stringify(calls[0]?.arguments));
    expect(second.body).toBe('{"n":2}');
    const spanIds = new Set<string>();
    for (const call of received) {
      expect(call.rawHeaders.filter((_, i) => i % 2 === 0 && call.rawHeaders[i]?.toLowerCase() === 'traceparent')).toHaveLength(1);
      const parent = parse(call.headers.traceparent);
      expect(parent.traceId).toBe(TRACE);
      expect(parent.flags).toBe('01');
      expect(parent.spanId).not.toBe(PARENT);
      spanIds.add(parent.spanId);
      expect(call.headers.tracestate).toBe('foo=1,bar=2');
      expect(call.headers['content-type']).toBe('application/json');
      expect(call.headers['x-not-to-copy']).toBeUndefined();
      expect(call.headers.authorization).toBeUndefined();
    }
    expect(spanIds.size).toBe(2);
  });

  it('propagates an unsampled flag as unsampled', async () => {
    await postTest([{ url: `${receiverUrl}/a`, arguments: 1 }], [['traceparent', `00-${TRACE}-${PARENT}-00`]]);
    expect(parse(received[0]?.headers.traceparent)).toMatchObject({ traceId: TRACE, flags: '00' });
    expect(received[0]?.headers.tracestate).toBeUndefined();
  });

  it('starts a new trace, and never fails, when the incoming headers are invalid or duplicated', async () => {
    const bad: [string, string][][] = [
      [['traceparent', `00-${TRACE}-${PARENT}-01-extra`]],
      [['traceparent', `00-${'0'.repeat(32)}-${PARENT}-01`]],
      [['traceparent', `00-${TRACE}-${PARENT}-01`], ['traceparent', `00-${'a'.repeat(32)}-${PARENT}-01`]],
      [['traceparent', `00-${TRACE.toUpperCase()}-${PARENT}-01`]],
    ];
    for (const headers of bad) {
      received = [];
      const response = await postTest([{ url: `${receiverUrl}/b`, arguments: null }], headers);
      expect(response.status).toBe(200);
      expect(received).toHaveLength(1);
      const parent = parse(received[0]?.headers.traceparent);
      expect(parent.traceId).toMatch(/^[0-9a-f]{32}$/);
      expect(parent.traceId).not.toBe(TRACE);
      expect(parent.traceId).not.toBe('a'.repeat(32));
    }
  });

  it('answers a body that is not a list of calls with a 400 envelope', async () => {
    const response = await postTest({ not: 'a list' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('STITCH_ERR_EDGE_BAD_REQUEST');
  });
});
