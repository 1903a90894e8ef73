import { once } from 'node:events';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { runInNewContext } from '../../core/context/context-store.js';
import { createStitch } from '../../setup/create-stitch.js';
import type { Stitch } from '../../setup/create-stitch.js';

const TENANT = '3c0e6a5e-7d2b-4f8e-9a1c-2b3d4e5f6a7b';
let running: Stitch | undefined;
let server: Server | undefined;
afterEach(async () => {
  await running?.shutdown();
  running = undefined;
  server?.closeAllConnections();
  server?.close();
  server = undefined;
});

/** A backend on port 0 that answers every OTLP upload (traces and logs) with `status` and `body`. */
async function backend(status: number, contentType: string, body: string | Buffer): Promise<{ endpoint: string; paths: string[] }> {
  const paths: string[] = [];
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      paths.push(req.url ?? '');
      res.writeHead(status, { 'content-type': contentType }).end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, paths };
}

/** One span and one log record through a kernel exporting both to `endpoint`, flushed. */
async function sendOneOfEach(endpoint: string, protocol: string): Promise<Stitch> {
  running = createStitch({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, STITCH_LOG_LEVEL: 'info' } });
  const stitch = running;
  // The job's context is its one span.
  runInNewContext({ name: 'job', tenantId: TENANT }, () => stitch.logger.info('working'));
  await stitch.flush();
  return stitch;
}

describe('a 2xx export answer', () => {
  // A proxy login page, a load balancer's "OK", a misrouted endpoint: each answers 200, none
  // stored anything. Counted as exported, an outage would look healthy in stitch.stats().
  const garbage = [
    { protocol: 'http/protobuf', contentType: 'text/html', body: '<html><body>Please log in</body></html>' },
    { protocol: 'http/json', contentType: 'text/plain', body: 'OK' },
    { protocol: 'http/json', contentType: 'application/json', body: '[1, 2, 3]' },
  ];
  for (const { protocol, contentType, body } of garbage) {
    it(`with a body that is not an OTLP response (${protocol}, ${JSON.stringify(body)}) counts spans and log records as failed`, async () => {
      const { endpoint, paths } = await backend(200, contentType, body);
      const stitch = await sendOneOfEach(endpoint, protocol);
      expect(paths.sort()).toEqual(['/v1/logs', '/v1/traces']);
      expect(stitch.stats().export).toMatchObject({ exported: 0, droppedExportFailed: 1, failedExports: 1 });
      expect(stitch.stats().logExport).toMatchObject({ exported: 0, failed: 1 });
    });
  }

  const valid = [
    // The protobuf encoding of an empty Export*ServiceResponse is zero bytes.
    { protocol: 'http/protobuf', contentType: 'application/x-protobuf', body: Buffer.alloc(0) },
    { protocol: 'http/json', contentType: 'application/json', body: '{}' },
    { protocol: 'http/json', contentType: 'application/json', body: '{"partialSuccess":{}}' },
  ];
  for (const { protocol, contentType, body } of valid) {
    it(`with an OTLP response body (${protocol}, ${JSON.stringify(body.toString())}) counts them as exported`, async () => {
      const { endpoint } = await backend(200, contentType, body);
      const stitch = await sendOneOfEach(endpoint, protocol);
      expect(stitch.stats().export).toMatchObject({ exported: 1, droppedExportFailed: 0, failedExports: 0 });
      expect(stitch.stats().logExport).toMatchObject({ exported: 1, failed: 0 });
    });
  }

  // ExportTraceServiceResponse / ExportLogsServiceResponse { partial_success { rejected_* = 1, error_message = "x" } }:
  // both messages have the same field numbers, so one encoding serves traces and logs.
  const REJECT_ONE_PROTOBUF = Buffer.from([0x0a, 0x05, 0x08, 0x01, 0x12, 0x01, 0x78]);
  const partial = [
    { protocol: 'http/protobuf', contentType: 'application/x-protobuf', body: REJECT_ONE_PROTOBUF },
    // proto3 JSON writes int64 as a string; each signal names its own field, both sent here.
    { protocol: 'http/json', contentType: 'application/json', body: '{"partialSuccess":{"rejectedSpans":"1","rejectedLogRecords":"1","errorMessage":"x"}}' },
  ];
  for (const { protocol, contentType, body } of partial) {
    it(`with a partial success rejecting one item (${protocol}) counts it as rejected, the rest as exported`, async () => {
      const { endpoint, paths } = await backend(200, contentType, body);
      running = createStitch({ env: { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: protocol, STITCH_LOG_LEVEL: 'info' } });
      const stitch = running;
      for (let i = 0; i < 3; i += 1) runInNewContext({ name: `job${i}`, tenantId: TENANT }, () => stitch.logger.info('working'));
      await stitch.flush();
      // Each upload rejected one item of its batch.
      const traceUploads = paths.filter((path) => path === '/v1/traces').length;
      const logUploads = paths.filter((path) => path === '/v1/logs').length;
      expect(traceUploads).toBeGreaterThan(0);
      expect(logUploads).toBeGreaterThan(0);
      expect(stitch.stats().export).toMatchObject({ exported: 3 - traceUploads, droppedRejected: traceUploads, droppedExportFailed: 0 });
      expect(stitch.stats().logExport).toMatchObject({ exported: 3 - logUploads, rejected: logUploads, failed: 0 });
    });
  }
});
