import { LogsResponseSchema, TraceResponseSchema } from '@stitch/contract';
import { currentContext, runInNewContext, startStitch, withSpan } from '@stitch/kernel';
import { createOtlpLogStream } from '@stitch/kernel/logs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCollector, type TestCollector } from '../src/internal/test-collector.js';

const TENANT = '3c3c3c3c-0000-4000-8000-00000000003c';
let c: TestCollector;

beforeAll(async () => {
  c = await startTestCollector();
});
afterAll(async () => {
  await c.stop();
});

describe('the kernel’s own OTLP export into the collector', () => {
  it.each(['http/protobuf', 'http/json'] as const)('%s: spans land with their tenant and parentage', async (protocol) => {
    const stitch = startStitch({
      serviceName: 'kernel-svc',
      env: {},
      tracing: { export: { exporter: 'otlp', protocol, endpoint: `${c.url}/v1/traces` } },
    });
    let traceId = '';
    runInNewContext({ name: 'GET /kernel', tenantId: TENANT, routeId: '/kernel' }, () => {
      traceId = currentContext().traceId;
      withSpan('kernel.child', () => undefined);
    });
    await stitch.shutdown();

    const res = await c.get(`/api/traces/${traceId}`, c.token('traces:read', TENANT));
    expect(res.status).toBe(200);
    const body = TraceResponseSchema.parse(await res.json());
    const names = body.spans.map((s) => s.name);
    expect(names).toContain('kernel.child');
    expect(body.spans.every((s) => s.tenantId === TENANT && s.service === 'kernel-svc')).toBe(true);
    const child = body.spans.find((s) => s.name === 'kernel.child')!;
    expect(child.depth).toBeGreaterThan(0);
  });

  it('the kernel’s OTLP log stream delivers pino lines that `stitch logs` finds by tenant and trace', async () => {
    const stream = createOtlpLogStream({ serviceName: 'kernel-svc', endpoint: `${c.url}/v1/logs` });
    const traceId = 'ab'.repeat(16);
    stream.write(
      JSON.stringify({ time: Date.now(), level: 30, msg: 'invoice sent', tenant_id: TENANT, trace_id: traceId, span_id: 'cd'.repeat(8), component: 'route' }) + '\n',
    );
    await stream.shutdown();
    const res = await c.get(`/api/logs?trace=${traceId}`, c.token('logs:read', TENANT));
    const body = LogsResponseSchema.parse(await res.json());
    expect(body.logs.map((l) => [l.body, l.tenantId, l.service, l.component])).toEqual([['invoice sent', TENANT, 'kernel-svc', 'route']]);
  });
});
