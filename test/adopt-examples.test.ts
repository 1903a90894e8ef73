// docs/adopt.md, run: each of its services (Express, Fastify and node:http standalone; Express
// inside the user's own NodeSDK with getNodeAutoInstrumentations()) is written out as the page
// shows it, started as its own process exporting to a real collector, asked for an order, stopped
// with SIGTERM, and then found in the collector: the trace under the tenant, the log line in it.
// test/docs-examples.test.ts type-checks the same blocks; this test runs them.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceResponseSchema, type TraceResponse } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestCollector, type TestCollector } from '../packages/collector/src/internal/test-collector.js';
import { freePort } from './helpers/free-port.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the repository, so `@stitch/*` and the dependencies resolve as for the repo's own code;
// a dot folder, which the repo's tsconfig, vitest and eslint globs skip.
const workDir = join(root, 'test', '.adopt-examples');
const page = readFileSync(join(root, 'docs', 'adopt.md'), 'utf8');
const TENANT = '0f8fad5b-d9cb-469f-a165-70867728950e';
const SERVER = 2; // OTLP's SpanKind

/** The ts blocks of the section under `heading`, up to the next heading of its level or above. */
function blocksUnder(heading: string): string[] {
  const lines = page.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`docs/adopt.md has no heading ${heading}`);
  const level = /^#+/.exec(heading)![0].length;
  const blocks: string[] = [];
  for (let i = start + 1; i < lines.length; i++) {
    const h = /^(#+) /.exec(lines[i]!);
    if (h && h[1]!.length <= level) break;
    if (!/^```ts\s*$/.test(lines[i]!)) continue;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    blocks.push(body.join('\n'));
  }
  return blocks;
}


let collector: TestCollector;
beforeAll(async () => {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  collector = await startTestCollector();
});
afterAll(async () => {
  await collector.stop();
  rmSync(workDir, { recursive: true, force: true });
});

interface Running {
  child: ChildProcess;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

async function start(name: string, files: Record<string, string>, main: string, preload: string[] = []): Promise<Running> {
  for (const [file, code] of Object.entries(files)) writeFileSync(join(workDir, file), code);
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'source', ...preload.flatMap((p) => ['--import', join(workDir, p)]), join(workDir, main)], {
    cwd: root,
    env: {
      ...process.env,
      PORT: String(port),
      OTEL_SERVICE_NAME: name,
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      OTEL_BSP_SCHEDULE_DELAY: '100',
      NODE_ENV: 'development',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((res) => child.once('exit', (code) => res(code)));
  await expect.poll(() => output, { timeout: 30_000, interval: 100 }).toContain('listening');
  return { child, port, output: () => output, exited };
}

/** Asks for an order as tenant TENANT, stops the service with SIGTERM, and returns what the collector holds of that request. */
async function orderThenStop(running: Running): Promise<TraceResponse> {
  const res = await fetch(`http://127.0.0.1:${running.port}/orders/1`, { headers: { 'x-tenant-id': TENANT } });
  expect(res.status, running.output()).toBe(200);
  const traceId = res.headers.get('x-trace-id');
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  expect(((await res.json()) as { traceId: string }).traceId).toBe(traceId);
  running.child.kill('SIGTERM');
  // Its SIGTERM line lets the process end by itself, once what it holds is flushed.
  expect(await running.exited, running.output()).toBe(0);
  // Platform-wide: the spans the edge started before auth resolved the tenant are read too.
  const token = collector.token(['traces:read', 'logs:read']);
  return vi.waitFor(
    async () => {
      const answer = await collector.get(`/api/traces/${traceId}`, token);
      const trace = answer.status === 200 ? TraceResponseSchema.parse(await answer.json()) : null;
      // Spans come in more than one batch (middleware spans end before the server span).
      if (trace === null || trace.logs.length === 0 || !trace.spans.some((s) => s.kind === SERVER)) {
        throw new Error(`trace ${traceId}, its server span or its log line not in the collector: ${JSON.stringify(trace?.spans.map((s) => s.name))}`);
      }
      return trace;
    },
    { timeout: 10_000, interval: 100 },
  );
}

describe('docs/adopt.md, run', () => {
  it.each([
    ['### Express', 'adopt-express'],
    ['### Fastify', 'adopt-fastify'],
    ['### `node:http`', 'adopt-node-http'],
  ])('%s (standalone): the request is one trace under its tenant, with its route and its log line', async (heading, name) => {
    const [code] = blocksUnder(heading);
    expect(code, `a ts block under ${heading}`).toBeDefined();
    const running = await start(name, { [`${name}.ts`]: code! }, `${name}.ts`);
    try {
      const trace = await orderThenStop(running);
      const servers = trace.spans.filter((s) => s.kind === SERVER);
      expect(servers).toHaveLength(1);
      expect(servers[0]).toMatchObject({ tenantId: TENANT, service: name, route: '/orders/:id' });
      expect(trace.logs.map((l) => [l.body, l.tenantId])).toEqual([['order read', TENANT]]);
    } finally {
      running.child.kill('SIGKILL');
    }
  }, 60_000);

  it('inside the user’s NodeSDK with auto-instrumentations: one server span (instrumentation-http’s, enriched), the tenant and the log line', async () => {
    const [instrumentation, app] = blocksUnder('## Inside your own NodeSDK');
    expect(instrumentation).toContain('stitchSdkOptions');
    expect(app).toContain('createLoggerFromConfig');
    const running = await start('adopt-sdk', { 'instrumentation.ts': instrumentation!, 'adopt-sdk.ts': app! }, 'adopt-sdk.ts', ['instrumentation.ts']);
    try {
      const trace = await orderThenStop(running);
      const servers = trace.spans.filter((s) => s.kind === SERVER);
      expect(servers, JSON.stringify(trace.spans.map((s) => [s.name, s.kind]))).toHaveLength(1);
      // instrumentation-http's span, which the edge enriched (no second one nested in it).
      expect(servers[0]).toMatchObject({ service: 'adopt-sdk', route: '/orders/:id', name: 'GET /orders/:id' });
      expect(servers[0]!.attributes['stitch.request_id']).toEqual(expect.any(String));
      // The instrumentations ran: Express's route span is in the same trace, under the tenant.
      expect(trace.spans.find((s) => s.name === 'request handler - /orders/:id')?.tenantId).toBe(TENANT);
      expect(trace.logs.map((l) => [l.body, l.tenantId])).toEqual([['order read', TENANT]]);
    } finally {
      running.child.kill('SIGKILL');
    }
  }, 60_000);
});
