/**
 * One log line per event inside the user's own NodeSDK (issue 13): with
 * @opentelemetry/instrumentation-pino active (getNodeAutoInstrumentations(), the ESM hook
 * registered before the app loads, as `node --import` setups do), Stitch's logger writes each
 * trace field once, and a line is exported once although both Stitch (`logs.otlp`) and the
 * SDK's default LoggerProvider would send it. A service in its own process, exporting to a real
 * collector.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceResponseSchema, type TraceResponse } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startTestCollector, type TestCollector } from '../packages/collector/src/internal/test-collector.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
// Inside the repository so the workspace packages resolve; a dot folder the globs skip.
const workDir = join(root, 'test', '.otel-pino');

const files: Record<string, string> = {
  // Its own file, first: the hook must be in place before anything imports pino.
  'hook.ts': `import { register } from 'node:module';
register('@opentelemetry/instrumentation/hook.mjs', import.meta.url);
`,
  'instrumentation.ts': `import { NodeSDK } from '@opentelemetry/sdk-node';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { stitchSdkOptions } from '@stitch/kernel/otel';
const sdk = new NodeSDK({ ...stitchSdkOptions(), instrumentations: [getNodeAutoInstrumentations()] });
sdk.start();
(globalThis as { sdk?: NodeSDK }).sdk = sdk;
`,
  'service.ts': `import type { NodeSDK } from '@opentelemetry/sdk-node';
import { runInNewContext, withContext, withSpan } from '@stitch/kernel';
import { loadConfig } from '@stitch/kernel/config';
import { createLoggerFromConfig } from '@stitch/kernel/logs';
const { logger, shutdown } = createLoggerFromConfig(loadConfig());
await runInNewContext({ name: 'job', requestId: 'req-otel-pino' }, () =>
  withContext({ tenantId: 'acme' }, () => withSpan('request', async () => logger.info({ orderId: 7 }, 'order read'))),
);
await shutdown();
await (globalThis as { sdk?: NodeSDK }).sdk?.shutdown();
`,
};

let collector: TestCollector;
beforeAll(async () => {
  rmSync(workDir, { recursive: true, force: true });
  mkdirSync(workDir, { recursive: true });
  for (const [file, code] of Object.entries(files)) writeFileSync(join(workDir, file), code);
  collector = await startTestCollector();
});
afterAll(async () => {
  await collector.stop();
  rmSync(workDir, { recursive: true, force: true });
});

async function runService(): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--conditions', 'source', '--import', join(workDir, 'hook.ts'), '--import', join(workDir, 'instrumentation.ts'), join(workDir, 'service.ts')],
    {
      cwd: root,
      // Both would export log lines: Stitch because an OTLP endpoint is set, NodeSDK by default.
      env: { ...process.env, OTEL_SERVICE_NAME: 'otel-pino', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const code = await new Promise<number | null>((res) => child.once('exit', res));
  return { code, stdout, stderr };
}

describe('the Stitch logger under instrumentation-pino', () => {
  it('writes trace_id and span_id once per line and exports the line once', async () => {
    const { code, stdout, stderr } = await runService();
    expect(code, stderr).toBe(0);
    const lines = stdout.split('\n').filter((l) => l.includes('"order read"'));
    expect(lines, stdout).toHaveLength(1);
    const [line] = lines as [string];
    for (const key of ['trace_id', 'span_id']) expect(line.split(`"${key}":`), line).toHaveLength(2);
    expect(line).not.toContain('trace_flags');
    const { trace_id: traceId } = JSON.parse(line) as { trace_id: string };

    const token = collector.token(['traces:read', 'logs:read']);
    const read = async (): Promise<TraceResponse> => {
      const answer = await collector.get(`/api/traces/${traceId}`, token);
      if (answer.status !== 200) throw new Error(`trace ${traceId}: ${answer.status}`);
      const trace = TraceResponseSchema.parse(await answer.json());
      if (trace.logs.length === 0) throw new Error(`trace ${traceId} has no log line yet`);
      return trace;
    };
    await vi.waitFor(read, { timeout: 10_000, interval: 100 });
    // Both exports were sent and answered before the process ended; the collector has stored what it answered.
    const trace = await read();
    expect(trace.logs.map((l) => [l.body, l.tenantId])).toEqual([['order read', 'acme']]);
  }, 60_000);
});
