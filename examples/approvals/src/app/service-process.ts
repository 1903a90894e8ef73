/**
 * The service split into OS processes on real servers, one role each (APPROVALS_ROLE):
 *
 *   api    the HTTP service, its handlers and the webhook dispatcher; jobs go to BullMQ
 *   relay  the outbox relay alone: committed events from Postgres to NATS JetStream
 *
 * With `worker.ts` (APPROVALS_JOBS=bullmq) that is three processes and one trace across them,
 * which the cross-process test proves. Configured through the environment only:
 * OTEL_SERVICE_NAME and OTEL_EXPORTER_OTLP_ENDPOINT for the kernel, APPROVALS_SCHEMA (the
 * Postgres schema, also the NATS stream and BullMQ prefix), APPROVALS_WEBHOOKS (JSON: tenant id
 * → { url, secret }). Spoken to by its parent over IPC: `listening` once serving, `flush?` /
 * `flushed`, `stop`.
 */
import { connect } from 'nats';
import pg from 'pg';
import { createStitch, runInNewContext } from '@stitch/kernel';
import { createPgDatabase } from '@stitch/kernel/db/pg';
import { createNatsBus } from '@stitch/kernel/events/nats';
import { createJobs, createSqlRunStore } from '@stitch/kernel/jobs';
import { bullmqJobEngine } from '@stitch/kernel/jobs/bullmq';
import { createOutbox, createOutboxRelay } from '@stitch/kernel/outbox';
import type { AddressInfo } from 'node:net';
import type { WorkerMessage } from './ipc-job-engine.js';
import { JOB_DEFAULTS } from './job-defaults.js';
import { createApprovalsService } from './service.js';

const role = process.env.APPROVALS_ROLE;
const schema = process.env.APPROVALS_SCHEMA;
if ((role !== 'api' && role !== 'relay') || schema === undefined) throw new Error('service-process: APPROVALS_ROLE (api or relay) and APPROVALS_SCHEMA must be set');

const stitch = createStitch();
const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 6 });
const db = createPgDatabase(pool, { application: stitch.config.service.name });
const nats = await connect({ servers: '127.0.0.1:4222' });
const bus = await createNatsBus({ connection: nats, stream: schema.toUpperCase(), subjectPrefix: `${schema}.events`, retryDelayMillis: 100 });
let stopWork: () => Promise<void>;

if (role === 'relay') {
  const relay = createOutboxRelay({ db, outbox: createOutbox({ db, schema }), bus, pollIntervalMillis: 100 });
  relay.start();
  stopWork = () => relay.stop();
  process.send?.({ type: 'listening', port: 0 } satisfies WorkerMessage);
} else {
  const engine = bullmqJobEngine({ connection: { host: '127.0.0.1', port: 6379 }, prefix: schema });
  const runs = createSqlRunStore(db, { schema });
  const jobs = createJobs({ engine, runs, defaults: JOB_DEFAULTS });
  const endpoints = JSON.parse(process.env.APPROVALS_WEBHOOKS ?? '{}') as Record<string, { url: string; secret: string }>;
  const conditions = { burst: false, burstMillis: 650, slowSearchTenantId: undefined, slowSearchSeconds: 0 };
  const service = createApprovalsService({ db, schema, bus, jobs, conditions, webhookEndpoints: new Map(Object.entries(endpoints)), relay: false });
  await service.start();
  await runInNewContext({ name: 'approvals.migrate-runs' }, () => runs.migrate());
  const server = service.app.listen(0, '127.0.0.1');
  await new Promise<void>((resolve) => server.once('listening', resolve));
  stopWork = async () => {
    await new Promise((resolve) => server.close(resolve));
    await service.stop();
    await jobs.close();
  };
  process.send?.({ type: 'listening', port: (server.address() as AddressInfo).port } satisfies WorkerMessage);
}

process.on('message', (m: WorkerMessage) => {
  if (m.type === 'flush?') void stitch.flush().then(() => process.send?.({ type: 'flushed', id: m.id } satisfies WorkerMessage));
  if (m.type !== 'stop') return;
  void (async () => {
    await stopWork();
    await bus.close();
    await nats.close();
    await db.close();
    await stitch.shutdown();
    process.exit(0);
  })();
});
