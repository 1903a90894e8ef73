/**
 * `npm start`: the Stitch demo on embedded defaults (PGlite, no server, no backend).
 *
 * Starts the kernel, a small two-tenant orders service on http://127.0.0.1:3000 (`--port N`),
 * drives a little traffic through it — creates, lists, a slow report over its query budget,
 * a bad API key — and prints each kept trace as a tree beside the service's JSON log lines.
 * It keeps serving for curl afterwards; `--once` exits after the traffic.
 *
 *   curl -H 'authorization: Bearer demo-key-acme' http://127.0.0.1:3000/orders
 */
import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { PGlite } from '@electric-sql/pglite';
import { createLogger, installHttpOut, loadConfig, startStitch } from '@stitch/kernel';
import { createPgliteDatabase } from '@stitch/kernel/db/pglite';
import { createDemoService, migrateDemo } from './demo-service.js';
import { driveTraffic } from './traffic.js';
import { TracePrinter } from './trace-printer.js';

const { values: args } = parseArgs({
  options: { port: { type: 'string', default: '3000' }, once: { type: 'boolean', default: false } },
});

const config = loadConfig({ env: { OTEL_SERVICE_NAME: 'stitch-demo', ...process.env } });
const logger = createLogger({ service: config.service.name, nodeId: config.service.nodeId, level: config.logs.level });
const stitch = startStitch({
  serviceName: config.service.name,
  enabled: config.enabled,
  tracing: config.tracing,
  logger,
  spanProcessors: [new TracePrinter()],
});
const uninstallHttpOut = installHttpOut(config.httpOut);

const db = createPgliteDatabase(new PGlite(), { application: config.service.name });
await migrateDemo(db);

const server = createDemoService({ db, logger });
server.listen(Number(args.port), '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;
logger.info({ port }, `demo service listening on http://127.0.0.1:${port}`);

await driveTraffic(`http://127.0.0.1:${port}`);

async function stop(): Promise<void> {
  server.close();
  uninstallHttpOut();
  await stitch.shutdown();
  await db.close();
}

if (args.once) {
  await stop();
} else {
  logger.info('traffic done; still serving — try: curl -H "authorization: Bearer demo-key-acme" http://127.0.0.1:' + port + '/orders');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
}
