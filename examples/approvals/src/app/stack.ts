/**
 * Starts the whole reference setup and hands back its parts: the collector (embedded, in this
 * process), the tenants' webhook receiver, the approvals service with its kernel, and the job
 * worker as an OS process of its own. What runs where:
 *
 *   embedded (default)   this process: collector, service, PGlite, in-process bus, outbox relay,
 *                        webhook dispatcher, receiver; the worker process: every job, sent to
 *                        it over Node's IPC channel
 *   --services           the same processes, with Postgres (127.0.0.1:5432, db `test`), NATS
 *                        JetStream (4222) and BullMQ on Redis (6379); job run records in
 *                        Postgres, written by both. Each run has its own schema, stream and
 *                        queue prefix (`approvals_<hex>`), removed when it stops.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { connect } from 'nats';
import { Queue } from 'bullmq';
import pg from 'pg';
import { createStitch, runInNewContext } from '@stitch/kernel';
import type { Stitch } from '@stitch/kernel';
import type { Database } from '@stitch/kernel/db';
import { createPgDatabase } from '@stitch/kernel/db/pg';
import { createPgliteDatabase } from '@stitch/kernel/db/pglite';
import { createInProcessBus } from '@stitch/kernel/events';
import type { EventBus } from '@stitch/kernel/events';
import { createNatsBus } from '@stitch/kernel/events/nats';
import { createJobs, createMemoryRunStore, createSqlRunStore } from '@stitch/kernel/jobs';
import type { JobEngine, Jobs } from '@stitch/kernel/jobs';
import { bullmqJobEngine } from '@stitch/kernel/jobs/bullmq';
import { newWebhookSecret } from '@stitch/kernel/webhooks';
import { startEmbeddedCollector } from './embedded-collector.js';
import type { EmbeddedCollector } from './embedded-collector.js';
import { ipcSenderEngine } from './ipc-job-engine.js';
import type { WorkerMessage } from './ipc-job-engine.js';
import { JOB_DEFAULTS } from './job-defaults.js';
import { createApprovalsService } from './service.js';
import type { ApprovalsService, Conditions } from './service.js';
import { recordStatements } from './statement-log.js';
import type { StatementLog } from './statement-log.js';
import { TENANTS } from './tenants.js';
import { STORM_PATH, startWebhookReceiver } from './webhook-receiver.js';
import type { WebhookReceiver } from './webhook-receiver.js';

export interface EnqueuedRun {
  readonly name: string;
  readonly runId: string;
  readonly traceId: string;
  readonly payload: unknown;
}

export interface StackOptions {
  readonly services: boolean;
  readonly port: number;
  readonly collectorPort: number;
  readonly dataFile: string;
  /** Extra span processors of the service's kernel (the trace printer of `npm start`). */
  readonly spanProcessors?: SpanProcessor[];
  /** STITCH_LOG_LEVEL of both kernels; `warn` by default, so perf_violation lines show. */
  readonly logLevel?: string;
}

export interface Stack {
  readonly baseUrl: string;
  readonly collector: EmbeddedCollector;
  readonly receiver: WebhookReceiver;
  readonly service: ApprovalsService;
  readonly stitch: Stitch;
  /** The service's database (through the kernel's wrapper) and the schema of its tables. */
  readonly db: Database;
  readonly schema: string;
  readonly conditions: Conditions;
  readonly worker: ChildProcess;
  /** Every job the service enqueued, in order. */
  readonly enqueued: readonly EnqueuedRun[];
  /** What the embedded engine received (PGlite only). */
  readonly statements: StatementLog | undefined;
  /** Everything the traffic caused has happened: events, deliveries, and every job in the worker. */
  settled(): Promise<void>;
  /** Both kernels (service and worker) export what they hold; the collector has stored it. */
  flushed(): Promise<void>;
  stop(): Promise<void>;
}

const WORKER = fileURLToPath(new URL('./worker.ts', import.meta.url));

export async function startStack(options: StackOptions): Promise<Stack> {
  const collector = await startEmbeddedCollector(options.collectorPort, options.dataFile);
  const logLevel = options.logLevel ?? 'warn';
  const otelEnv = { OTEL_TRACES_EXPORTER: 'otlp', OTEL_LOGS_EXPORTER: 'otlp', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, STITCH_LOG_LEVEL: logLevel };
  const stitch = createStitch({ env: { OTEL_SERVICE_NAME: 'approvals-api', ...otelEnv, ...process.env }, ...(options.spanProcessors && { spanProcessors: options.spanProcessors }) });

  // Embedded, everything is gone with the process; on real servers, a run's names are its own.
  const schema = options.services ? `approvals_${randomBytes(4).toString('hex')}` : 'approvals';
  const bullmqPrefix = schema;
  const worker = fork(WORKER, [], {
    execArgv: ['--import', 'tsx', '--conditions=source'],
    env: { ...process.env, ...otelEnv, OTEL_SERVICE_NAME: 'approvals-worker', APPROVALS_JOBS: options.services ? 'bullmq' : 'ipc', APPROVALS_BULLMQ_PREFIX: bullmqPrefix, APPROVALS_SCHEMA: schema },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  await new Promise<void>((resolve, reject) => {
    worker.once('message', (m: WorkerMessage) => (m.type === 'ready' ? resolve() : undefined));
    worker.once('exit', (code) => reject(new Error(`the job worker exited (${String(code)}) before it was ready`)));
  });

  let db: Database;
  let statements: StatementLog | undefined;
  let bus: EventBus;
  let busIdle: (() => Promise<void>) | undefined;
  let engine: JobEngine;
  let closeServices = async (): Promise<void> => {};
  if (options.services) {
    const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 8 });
    db = createPgDatabase(pool, { application: 'approvals-api' });
    const nats = await connect({ servers: '127.0.0.1:4222' });
    const stream = schema.toUpperCase();
    bus = await createNatsBus({ connection: nats, stream, subjectPrefix: `${schema}.events`, retryDelayMillis: 100 });
    const bullmq = bullmqJobEngine({ connection: { host: '127.0.0.1', port: 6379 }, prefix: bullmqPrefix });
    engine = bullmq;
    closeServices = async () => {
      await bus.close();
      await (await nats.jetstreamManager()).streams.delete(stream);
      await nats.close();
      await pool.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      for (const name of bullmq.queueNames()) {
        const queue = new Queue(name, { connection: { host: '127.0.0.1', port: 6379 }, prefix: bullmqPrefix });
        await queue.obliterate({ force: true });
        await queue.close();
      }
    };
  } else {
    const pglite = new PGlite();
    statements = recordStatements(pglite);
    db = createPgliteDatabase(pglite, { application: 'approvals-api' });
    const inProcess = createInProcessBus({ maxDeliveries: 4, retryDelayMillis: 50 });
    bus = inProcess;
    busIdle = () => inProcess.idle();
    engine = ipcSenderEngine(worker);
  }
  // On real servers both processes write the run records to Postgres: settled() reads them.
  const runs = options.services ? createSqlRunStore(db, { schema }) : createMemoryRunStore();
  const kernelJobs = createJobs({ engine, runs, defaults: JOB_DEFAULTS });
  // Every enqueue, for the printed questions' ids (which run to ask about): not a trace source.
  const enqueued: EnqueuedRun[] = [];
  const jobs: Jobs = {
    ...kernelJobs,
    async enqueue(name, payload, enqueueOptions) {
      const run = await kernelJobs.enqueue(name, payload, enqueueOptions);
      enqueued.push({ name, ...run, payload });
      return run;
    },
  };

  const receiver = await startWebhookReceiver();
  const webhookEndpoints = new Map<string, { url: string; secret: string }>();
  for (const tenant of [TENANTS.acme, TENANTS.globex, TENANTS.initech, TENANTS.stark]) {
    const path = tenant === TENANTS.globex ? STORM_PATH : `/hooks/${tenant.name}`;
    const secret = newWebhookSecret();
    receiver.setSecret(path, secret);
    webhookEndpoints.set(tenant.id, { url: `${receiver.baseUrl}${path}`, secret });
  }
  const conditions: Conditions = { burst: false, burstMillis: 650, slowSearchTenantId: TENANTS.umbrella.id, slowSearchSeconds: 0.25 };
  const service = createApprovalsService({ db, schema, bus, jobs, conditions, webhookEndpoints, relay: true, ...(busIdle && { busIdle }) });
  await service.start();
  if (options.services) await runInNewContext({ name: 'approvals.migrate-runs' }, () => runs.migrate());
  // The worker's run store needs the table: it is told to start working only now.
  worker.send({ type: 'start' } satisfies WorkerMessage);
  const server = service.app.listen(options.port, '127.0.0.1');
  const port = await listening(server, options.port);

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    collector,
    receiver,
    service,
    stitch,
    db,
    schema,
    conditions,
    worker,
    enqueued,
    statements,
    async settled() {
      await service.drained();
      // Handlers enqueue jobs while they drain; the worker then runs them, retries included.
      if (!options.services) await (engine as ReturnType<typeof ipcSenderEngine>).idle();
      else await runsFinished(db, schema, enqueued.map((run) => run.runId));
    },
    async flushed() {
      await stitch.flush();
      const id = Date.now();
      await new Promise<void>((resolve) => {
        const onMessage = (m: WorkerMessage): void => {
          if (m.type !== 'flushed' || m.id !== id) return;
          worker.off('message', onMessage);
          resolve();
        };
        worker.on('message', onMessage);
        worker.send({ type: 'flush?', id } satisfies WorkerMessage);
      });
      await collector.settle();
    },
    async stop() {
      server.close();
      await service.stop();
      await jobs.close();
      const exited = once(worker, 'exit');
      worker.send({ type: 'stop' } satisfies WorkerMessage);
      await exited;
      await stitch.shutdown();
      await closeServices();
      await db.close();
      await receiver.close();
      await collector.close();
    },
  };
}

/** Polls the run records (its own short trace) until every run has its final outcome. */
async function runsFinished(db: Database, schema: string, runIds: readonly string[], timeoutMillis = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const done = await runInNewContext({ name: 'approvals.runs-probe' }, async () => {
      const { rows } = await db.query<{ n: number }>(
        `SELECT count(DISTINCT run_id)::int AS n FROM ${schema}.job_runs WHERE run_id = ANY($1) AND outcome IN ('succeeded', 'failed')`,
        [runIds],
        { name: 'runs.probe' },
      );
      return rows[0]?.n ?? 0;
    });
    if (done >= runIds.length) return;
    if (Date.now() > deadline) throw new Error(`only ${done} of ${runIds.length} job runs finished within ${timeoutMillis} ms`);
    await sleep(100);
  }
}

/** Waits for `server` to listen on `wanted`, or on a free port when that one is taken, and says which. */
async function listening(server: Server, wanted: number): Promise<number> {
  try {
    await Promise.race([once(server, 'listening'), once(server, 'error').then(([error]) => Promise.reject(error as Error))]);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'EADDRINUSE') throw error;
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    process.stderr.write(`approvals: port ${wanted} is taken; the service listens on ${(server.address() as AddressInfo).port} instead\n`);
  }
  return (server.address() as AddressInfo).port;
}
