import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { currentContext, runInNewContext } from '../core/context/context-store.js';
import { StitchError } from '../core/errors/stitch-error.js';
import { createStitch } from './create-stitch.js';
import type { Stitch } from './create-stitch.js';

const TENANT = '3c0e6a5e-7d2b-4f8e-9a1c-2b3d4e5f6a7b';
let running: Stitch | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
});

describe('createStitch()', () => {
  it('wires config, logger, tracing and HTTP out so one outbound call carries the trace and lands as a span', async () => {
    const received: (string | undefined)[] = [];
    const server = createServer((req, res) => {
      received.push(req.headers.traceparent as string | undefined);
      res.end('ok');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const memory = new InMemorySpanExporter();
    running = createStitch({
      env: { OTEL_SERVICE_NAME: 'billing', STITCH_LOG_LEVEL: 'silent', OTEL_TRACES_EXPORTER: 'none' },
      spanProcessors: [new SimpleSpanProcessor(memory)],
    });
    expect(running.config.service.name).toBe('billing');
    const traceId = await runInNewContext({ name: 'job', tenantId: TENANT }, async () => {
      await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`).then((r) => r.text());
      return currentContext().traceId;
    });
    server.close();
    // Sampled and (Level 2) random: the trace began in this process.
    expect(received[0]).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-03$`));
    const names = memory.getFinishedSpans().map((span) => span.name);
    expect(names).toEqual(expect.arrayContaining(['job', 'HTTP GET']));
    expect(running.stats().export).toBeDefined();
  });

  it('shutdown() returns within shutdownTimeoutMillis against a hanging OTLP endpoint, and counts the log records it gave up on', async () => {
    // Accepts every upload and never answers: the worst backend, as an exporter sees it.
    const server = createServer(() => {});
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const dir = mkdtempSync(join(tmpdir(), 'stitch-shutdown-'));
    const file = join(dir, 'stitch.yaml');
    writeFileSync(file, 'tracing:\n  export:\n    shutdownTimeoutMillis: 300\n');
    try {
      running = createStitch({
        file,
        env: { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, STITCH_LOG_LEVEL: 'info' },
      });
      expect(running.config.logs.otlp.exporter).toBe('otlp');
      runInNewContext({ name: 'job', tenantId: TENANT }, () => running?.logger.info('about to stop'));
      const startedAt = performance.now();
      await running.shutdown();
      const tookMillis = performance.now() - startedAt;
      expect(tookMillis).toBeLessThan(300 + 250);
      expect(running.stats().logExport).toMatchObject({ exported: 0, droppedShutdown: 1 });
    } finally {
      server.closeAllConnections();
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a bad setting at start-up with a coded error naming the variable, and starts nothing', () => {
    expect(() => createStitch({ env: { STITCH_LOG_LEVEL: 'loud' } })).toThrowError(StitchError);
    try {
      createStitch({ env: { STITCH_LOG_LEVEL: 'loud' } });
    } catch (error) {
      expect((error as StitchError).code).toBe('STITCH_ERR_CONFIG_INVALID');
      expect((error as StitchError).message).toContain('STITCH_LOG_LEVEL');
      expect((error as StitchError).message).toContain('loud');
    }
  });

  it('with STITCH_ENABLED=false records nothing but contexts still have real ids for log lines', () => {
    const memory = new InMemorySpanExporter();
    running = createStitch({ env: { STITCH_ENABLED: 'false', STITCH_LOG_LEVEL: 'silent' }, spanProcessors: [new SimpleSpanProcessor(memory)] });
    expect(running.tracing.enabled).toBe(false);
    const ctx = runInNewContext({ name: 'job', tenantId: TENANT }, () => currentContext());
    expect(ctx.traceId).toMatch(/^(?!0{32})[0-9a-f]{32}$/);
    expect(ctx).toMatchObject({ tenantId: TENANT, sampled: false });
    expect(memory.getFinishedSpans()).toHaveLength(0);
  });
});
