import { once } from 'node:events';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runInNewContext } from '../src/core/context/context-store.js';
import { createStitch } from '../src/setup/create-stitch.js';

const TENANT = '3c0e6a5e-7d2b-4f8e-9a1c-2b3d4e5f6a7c';
const SHUTDOWN_TIMEOUT_MILLIS = 300;

/** The three backends of issue 15's fault run, as OTLP/HTTP endpoints for traces and logs alike. */
const BACKENDS: Record<string, () => Promise<{ url: string; close(): void }>> = {
  // A port nothing listens on: every connection is refused.
  dead: async () => {
    const server = await listen(createServer());
    const url = urlOf(server);
    server.close();
    return { url, close: () => undefined };
  },
  // Accepts every upload and never answers.
  hanging: async () => {
    const server = await listen(createServer(() => undefined));
    return { url: urlOf(server), close: () => (server.closeAllConnections(), server.close()) };
  },
  // Answers 200 with a body that is not an OTLP response.
  garbage: async () => {
    const server = await listen(createServer((req, res) => req.resume().on('end', () => res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end('\xff\xff not protobuf'))));
    return { url: urlOf(server), close: () => (server.closeAllConnections(), server.close()) };
  },
};

async function listen(server: Server): Promise<Server> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return server;
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

describe('stitch.shutdown() against a failing backend for traces and logs (issue 15)', () => {
  for (const [name, start] of Object.entries(BACKENDS)) {
    it(`returns within shutdownTimeoutMillis against a ${name} backend, and counts every span and log record as not exported`, async () => {
      const backend = await start();
      const dir = mkdtempSync(join(tmpdir(), 'stitch-shutdown-'));
      const file = join(dir, 'stitch.yaml');
      writeFileSync(file, `tracing:\n  export:\n    shutdownTimeoutMillis: ${SHUTDOWN_TIMEOUT_MILLIS}\n`);
      const stitch = createStitch({ file, env: { OTEL_EXPORTER_OTLP_ENDPOINT: backend.url, OTEL_SERVICE_NAME: `shutdown-${name}`, STITCH_LOG_LEVEL: 'info' } });
      try {
        expect(stitch.config.logs.otlp.exporter).toBe('otlp');
        runInNewContext({ name: 'job', tenantId: TENANT }, () => stitch.logger.info('about to stop'));
        const startedAt = performance.now();
        await stitch.shutdown();
        const tookMillis = performance.now() - startedAt;
        // The deadline, with room for a loaded machine's timers.
        expect(tookMillis).toBeLessThan(SHUTDOWN_TIMEOUT_MILLIS + 250);
        const { export: spans, logExport: logs } = stitch.stats();
        expect(spans.exported).toBe(0);
        expect(spans.droppedExportFailed + spans.droppedShutdown).toBe(1);
        expect(logs.exported).toBe(0);
        expect(logs.failed + logs.droppedShutdown).toBe(1);
      } finally {
        backend.close();
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
