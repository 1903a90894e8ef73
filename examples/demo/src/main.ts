/**
 * `npm start`: the Stitch demo on embedded defaults — no server, no backend to install.
 *
 * 1. starts the collector in this process (OTLP/HTTP on 127.0.0.1:4318, a DuckDB file in
 *    `.stitch/`, the API and the web UI);
 * 2. starts the kernel, exporting spans and logs to it, and a small two-tenant orders service on
 *    PGlite at http://127.0.0.1:3000;
 * 3. drives a little traffic — creates, lists, a slow report over its query budget, a missing
 *    order, a bad API key — printing each kept trace as a tree beside the JSON log lines;
 * 4. asks the collector the questions: why is a tenant slow, which budgets broke.
 *
 * It keeps serving afterwards (Ctrl-C stops it); `--once` exits after step 4.
 *   npm start -- --port 3001 --collector-port 4319
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { createStitch, withoutStrictMode } from '@stitch/kernel';
import { createPgliteDatabase } from '@stitch/kernel/db/pglite';
import { createDemoService, migrateDemo, TENANTS } from './demo-service.js';
import { startEmbeddedCollector } from './embedded-collector.js';
import { driveTraffic } from './traffic.js';
import { TracePrinter } from './trace-printer.js';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    'collector-port': { type: 'string', default: '4318' },
    once: { type: 'boolean', default: false },
  },
});

// --once (tests, CI) keeps nothing behind; a serving demo keeps its store in .stitch/.
const dataDir = args.once ? mkdtempSync(join(tmpdir(), 'stitch-demo-')) : resolve('.stitch');
const collector = await startEmbeddedCollector(Number(args['collector-port']), join(dataDir, 'demo.duckdb'));

// One call wires config (env, STITCH_CONFIG), logs, sampling, budgets, export and HTTP out.
// The environment wins, so OTEL_EXPORTER_OTLP_ENDPOINT can point the demo elsewhere.
const stitch = createStitch({
  env: {
    OTEL_SERVICE_NAME: 'stitch-demo',
    OTEL_TRACES_EXPORTER: 'otlp',
    OTEL_LOGS_EXPORTER: 'otlp',
    OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
    ...process.env,
  },
  spanProcessors: [new TracePrinter()],
});
const { logger } = stitch;

const db = createPgliteDatabase(new PGlite(), { application: stitch.config.service.name });
await migrateDemo(db);

const server = createDemoService({ db, logger });
const port = await listen(server, Number(args.port));
// A process's start-up line belongs to no request: said so, for strict mode (docs/drift-traps.md).
withoutStrictMode(() => logger.info({ port, url: `http://127.0.0.1:${port}` }, 'demo service listening'));

try {
  await driveTraffic(`http://127.0.0.1:${port}`);
  // Everything the traffic produced reaches the store before the questions are asked.
  await stitch.flush();
  await collector.ask(['slow', '--tenant', TENANTS.acme.id]);
  await collector.ask(['violations']);
} catch (error) {
  // What was kept so far is flushed to the collector before the demo gives up.
  process.stderr.write(`demo: ${(error as Error).message}\n`);
  await stop();
  process.exit(1);
}

/** Listens on `wanted`, or on a free port when that one is taken, and says which it got. */
async function listen(target: Server, wanted: number): Promise<number> {
  const attempt = async (port: number): Promise<void> => {
    target.listen(port, '127.0.0.1');
    await Promise.race([once(target, 'listening'), once(target, 'error').then(([error]) => Promise.reject(error as Error))]);
  };
  try {
    await attempt(wanted);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EADDRINUSE') throw error;
    await attempt(0);
    process.stderr.write(`demo: port ${wanted} is taken; the service listens on ${(target.address() as AddressInfo).port} instead\n`);
  }
  return (target.address() as AddressInfo).port;
}

async function stop(): Promise<void> {
  server.close();
  await stitch.shutdown();
  await db.close();
  await collector.close();
  if (args.once) rmSync(dataDir, { recursive: true, force: true });
}

if (args.once) {
  await stop();
} else {
  process.stdout.write(
    [
      '',
      `The demo keeps serving. Try:`,
      `  curl -H 'authorization: Bearer ${TENANTS.acme.apiKey}' http://127.0.0.1:${port}/orders`,
      `  STITCH_URL=${collector.url} STITCH_TOKEN=${collector.token} npx stitch slow --tenant ${TENANTS.globex.id}`,
      `  web UI: ${collector.url}/ui/  (token: ${collector.token})`,
      'Ctrl-C stops it.',
      '',
    ].join('\n'),
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
}
