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
import { createStitch } from '@stitch/kernel';
import { createPgliteDatabase } from '@stitch/kernel/db/pglite';
import { createDemoService, migrateDemo } from './demo-service.js';
import { driveTraffic } from './traffic.js';
import { TracePrinter } from './trace-printer.js';

const { values: args } = parseArgs({
  options: { port: { type: 'string', default: '3000' }, once: { type: 'boolean', default: false } },
});

// One call wires config (env, STITCH_CONFIG), logs, sampling, budgets, export and HTTP out.
const stitch = createStitch({ env: { OTEL_SERVICE_NAME: 'stitch-demo', ...process.env }, spanProcessors: [new TracePrinter()] });
const { logger } = stitch;

const db = createPgliteDatabase(new PGlite(), { application: stitch.config.service.name });
await migrateDemo(db);

const server = createDemoService({ db, logger });
server.listen(Number(args.port), '127.0.0.1');
await once(server, 'listening');
const { port } = server.address() as AddressInfo;
logger.info({ port }, `demo service listening on http://127.0.0.1:${port}`);

await driveTraffic(`http://127.0.0.1:${port}`);

async function stop(): Promise<void> {
  server.close();
  await stitch.shutdown();
  await db.close();
}

if (args.once) {
  await stop();
} else {
  logger.info('traffic done; still serving — try: curl -H "authorization: Bearer demo-key-acme" http://127.0.0.1:' + port + '/orders');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
}
