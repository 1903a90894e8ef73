import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInNewContext } from '../../core/context/context-store.js';
import { setStrictMode } from '../../setup/config/strict-mode.js';
import { createLogger } from './create-logger.js';
import { createOtlpLogStream } from './otlp-log-stream.js';

// The OTLP .proto files of shared/, which sits beside the checkout (as in CI): <checkout>/../shared.
const PROTO_ROOT = fileURLToPath(new URL('../../../../../../shared/specs/otlp-proto', import.meta.url));
const TENANT = '11111111-1111-4111-8111-111111111111';
const SECRET = 'hunter2-very-secret';

interface DecodedRecord {
  body?: { stringValue?: string };
  severityNumber?: number;
  severityText?: string;
  traceId?: Uint8Array;
  spanId?: Uint8Array;
  attributes?: { key: string; value: { stringValue?: string; boolValue?: boolean; intValue?: unknown } }[];
}

function loadRequestType(): protobuf.Type {
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => join(PROTO_ROOT, target);
  root.loadSync('opentelemetry/proto/collector/logs/v1/logs_service.proto');
  return root.lookupType('opentelemetry.proto.collector.logs.v1.ExportLogsServiceRequest');
}

const requestType = loadRequestType();
const received: { contentType: string | undefined; raw: Buffer; records: DecodedRecord[]; serviceName: string | undefined }[] = [];
let server: Server;
let url: string;
let answer = 200;

beforeAll(async () => {
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const decoded = requestType.toObject(requestType.decode(raw)) as {
        resourceLogs?: { resource?: { attributes?: DecodedRecord['attributes'] }; scopeLogs?: { logRecords?: DecodedRecord[] }[] }[];
      };
      for (const resourceLogs of decoded.resourceLogs ?? []) {
        const serviceName = resourceLogs.resource?.attributes?.find((a) => a.key === 'service.name')?.value.stringValue;
        const records = (resourceLogs.scopeLogs ?? []).flatMap((scope) => scope.logRecords ?? []);
        received.push({ contentType: req.headers['content-type'], raw, records, serviceName });
      }
      res.writeHead(answer, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1/logs`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function attr(record: DecodedRecord, key: string): unknown {
  const value = record.attributes?.find((a) => a.key === key)?.value;
  return value?.stringValue ?? value?.boolValue;
}

const hex = (bytes: Uint8Array | undefined): string => Buffer.from(bytes ?? []).toString('hex');

// These tests write lines outside any context on purpose: they check what production does
// (write, mark, count). Strict mode's throw is tested in config/strict-mode.test.ts.
beforeAll(() => setStrictMode(false));
afterAll(() => setStrictMode(undefined));

describe('createOtlpLogStream', () => {
  it('exports each line as an OTLP log record with body, severity, trace context and tenant, redacted', async () => {
    received.length = 0;
    const otlp = createOtlpLogStream({ serviceName: 'billing', endpoint: url, scheduledDelayMillis: 50 });
    const stdout: string[] = [];
    const logger = createLogger({ service: 'billing', nodeId: 'n1', destination: { write: (l: string) => void stdout.push(l) }, otlp });
    let traceId = '';
    let spanId = '';
    runInNewContext({ name: 'req', tenantId: TENANT }, () => {
      logger.child({ component: 'auth' }).warn({ password: SECRET, attempt: 2 }, `login failed for Bearer ${SECRET}`);
      logger.error(new Error(`db password=${SECRET}`));
      const line = JSON.parse(stdout[0] ?? '{}') as { trace_id: string; span_id: string };
      traceId = line.trace_id;
      spanId = line.span_id;
    });
    logger.info('outside');
    await otlp.shutdown();

    expect(stdout).toHaveLength(3);
    const records = received.flatMap((r) => r.records);
    expect(records).toHaveLength(3);
    expect(received[0]?.contentType).toBe('application/x-protobuf');
    expect(received[0]?.serviceName).toBe('billing');
    const [warn, error, outside] = records;
    expect(warn?.body?.stringValue).toBe('login failed for Bearer [REDACTED]');
    expect(warn?.severityNumber).toBe(13);
    expect(warn?.severityText).toBe('warn');
    expect(hex(warn?.traceId)).toBe(traceId);
    expect(hex(warn?.spanId)).toBe(spanId);
    expect(attr(warn as DecodedRecord, 'tenant_id')).toBe(TENANT);
    expect(attr(warn as DecodedRecord, 'component')).toBe('auth');
    expect(attr(warn as DecodedRecord, 'password')).toBe('[REDACTED]');
    expect(error?.severityNumber).toBe(17);
    expect(attr(error as DecodedRecord, 'exception.type')).toBe('Error');
    expect(attr(error as DecodedRecord, 'exception.message')).toBe('db password=[REDACTED]');
    expect(outside?.traceId?.length ?? 0).toBe(0);
    expect(attr(outside as DecodedRecord, 'context_missing')).toBe(true);
    for (const request of received) expect(request.raw.includes(SECRET)).toBe(false);
    expect(otlp.stats()).toMatchObject({ exported: 3, droppedQueueFull: 0, failed: 0, malformed: 0 });
  });

  it('drops and counts records past maxQueueSize and counts refused batches, without throwing', async () => {
    received.length = 0;
    answer = 400;
    const otlp = createOtlpLogStream({ serviceName: 'billing', endpoint: url, maxQueueSize: 5, maxExportBatchSize: 5, scheduledDelayMillis: 60_000 });
    const logger = createLogger({ service: 'billing', destination: { write: () => undefined }, otlp });
    for (let i = 0; i < 12; i += 1) logger.info({ i }, 'burst');
    otlp.write('not json');
    await otlp.shutdown();
    answer = 200;
    expect(otlp.stats()).toMatchObject({ droppedQueueFull: 7, failed: 5, exported: 0, malformed: 1 });
  });
});
