/**
 * Issue 17's cross-process proof, on the reference service (`examples/approvals`) against the
 * real Postgres, Redis (BullMQ) and NATS JetStream: the service, the outbox relay and the job
 * worker run as three OS processes, each with its own kernel exporting to one collector.
 *
 * - One approval is one trace across all three, through every domain (edge, db, outbox, relay,
 *   handler, webhook, job, batch), with every parent link inside the trace.
 * - Seed 003's isolation: 50 concurrent approvals by 10 tenants never share a trace or a span,
 *   and no span of one carries another's tenant.
 *
 * Own schema, NATS stream and BullMQ prefix; all removed afterwards.
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import { connect } from 'nats';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TraceResponse } from '@stitch/contract';
import { resolveCollectorConfig, startCollector } from '@stitch/collector';
import type { Collector } from '@stitch/collector';
import { newWebhookSecret } from '@stitch/kernel/webhooks';
import type { WorkerMessage } from '../examples/approvals/src/app/ipc-job-engine.js';
import { JOB_NAMES, TENANT_LIST, TENANTS } from '../examples/approvals/src/app/tenants.js';
import type { Tenant } from '../examples/approvals/src/app/tenants.js';
import { submitAndApprove } from '../examples/approvals/src/app/traffic.js';
import { startWebhookReceiver } from '../examples/approvals/src/app/webhook-receiver.js';
import type { WebhookReceiver } from '../examples/approvals/src/app/webhook-receiver.js';

const APP = fileURLToPath(new URL('../examples/approvals/src/app/', import.meta.url));
const SCHEMA = `approvals_xp_${randomBytes(4).toString('hex')}`;
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };
const REDIS = { host: '127.0.0.1', port: 6379 };

let dir: string;
let collector: Collector | undefined;
let token: string;
let receiver: WebhookReceiver | undefined;
const children: ChildProcess[] = [];
let api: ChildProcess;
let baseUrl: string;
const probe = new pg.Pool({ ...PG, max: 2 });

function start(file: string, env: Record<string, string>): ChildProcess {
  const child = fork(join(APP, file), [], {
    execArgv: ['--import', 'tsx', '--conditions=source'],
    env: { ...process.env, NODE_ENV: 'development', OTEL_EXPORTER_OTLP_ENDPOINT: (collector as Collector).url, STITCH_LOG_LEVEL: 'error', APPROVALS_SCHEMA: SCHEMA, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  return child;
}

function next<T extends WorkerMessage['type']>(child: ChildProcess, type: T): Promise<Extract<WorkerMessage, { type: T }>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: WorkerMessage): void => {
      if (m.type !== type) return;
      child.off('message', onMessage);
      resolve(m as Extract<WorkerMessage, { type: T }>);
    };
    child.on('message', onMessage);
    child.once('exit', (code) => reject(new Error(`child exited (${String(code)}) before '${type}'`)));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stitch-approvals-xp-'));
  collector = await startCollector(resolveCollectorConfig({ port: 0, data: join(dir, 'stitch.duckdb') }));
  token = collector.tokens.create('admin', null).token;
  receiver = await startWebhookReceiver();
  const webhooks: Record<string, { url: string; secret: string }> = {};
  for (const tenant of TENANT_LIST) {
    const path = `/hooks/${tenant.name}`;
    const secret = newWebhookSecret();
    receiver.setSecret(path, secret);
    webhooks[tenant.id] = { url: `${receiver.baseUrl}${path}`, secret };
  }
  // The service first (it creates the tables and the stream), then the relay and the worker.
  api = start('service-process.ts', { APPROVALS_ROLE: 'api', OTEL_SERVICE_NAME: 'approvals-api', APPROVALS_WEBHOOKS: JSON.stringify(webhooks) });
  baseUrl = `http://127.0.0.1:${(await next(api, 'listening')).port}`;
  const relay = start('service-process.ts', { APPROVALS_ROLE: 'relay', OTEL_SERVICE_NAME: 'approvals-relay' });
  const worker = start('worker.ts', { OTEL_SERVICE_NAME: 'approvals-worker', APPROVALS_JOBS: 'bullmq', APPROVALS_BULLMQ_PREFIX: SCHEMA });
  await Promise.all([next(relay, 'listening'), next(worker, 'ready')]);
  worker.send({ type: 'start' } satisfies WorkerMessage);
}, 120_000);

afterAll(async () => {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.send({ type: 'stop' } satisfies WorkerMessage);
    const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(timer);
  }
  await receiver?.close();
  await collector?.close();
  for (const name of JOB_NAMES) {
    const queue = new Queue(name, { connection: REDIS, prefix: SCHEMA });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  const nats = await connect({ servers: '127.0.0.1:4222' });
  await (await nats.jetstreamManager()).streams.delete(SCHEMA.toUpperCase()).catch(() => false);
  await nats.close();
  await probe.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await probe.end();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Untraced polling until every event is sent, every delivery final and every job run finished. */
async function settled(expectedRuns: number, timeoutMillis = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const { rows } = await probe.query<{ unsent: number; open: number; runs: number; finished: number }>(
      `SELECT (SELECT count(*)::int FROM ${SCHEMA}.outbox_events WHERE sent_at IS NULL) AS unsent,
              (SELECT count(*)::int FROM ${SCHEMA}.webhook_deliveries WHERE state NOT IN ('delivered', 'dead', 'disabled')) AS open,
              (SELECT count(DISTINCT run_id)::int FROM ${SCHEMA}.job_runs) AS runs,
              (SELECT count(DISTINCT run_id)::int FROM ${SCHEMA}.job_runs WHERE outcome IN ('succeeded', 'failed')) AS finished`,
    );
    const state = rows[0];
    if (state !== undefined && state.unsent === 0 && state.open === 0 && state.runs >= expectedRuns && state.finished === state.runs) return;
    if (Date.now() > deadline) throw new Error(`not settled: ${JSON.stringify(state)} (expected ${expectedRuns} runs)`);
    await sleep(200);
  }
}

/** Every process exports what it holds; the collector has written it. */
async function flushed(): Promise<void> {
  await Promise.all(
    children.map(async (child, i) => {
      const answer = next(child, 'flushed');
      child.send({ type: 'flush?', id: i } satisfies WorkerMessage);
      await answer;
    }),
  );
  await (collector as Collector).queue.idle();
}

async function trace(traceId: string): Promise<TraceResponse> {
  const response = await fetch(`${(collector as Collector).url}/api/traces/${traceId}`, { headers: { authorization: `Bearer ${token}` } });
  expect(response.status).toBe(200);
  return (await response.json()) as TraceResponse;
}

describe('the approvals service across three OS processes (service, outbox relay, job worker)', () => {
  it('one approval is one trace through every domain and every process, each span’s parent inside the trace', { timeout: 120_000 }, async () => {
    const { decided } = await submitAndApprove(baseUrl, TENANTS.acme, { amountCents: 64_00, category: 'hardware', hasReceipt: true });
    expect(decided.status).toBe(200);
    await settled(2);
    await flushed();
    const { spans } = await trace(decided.traceId);

    const processOf = (name: string) => [...new Set(spans.filter((s) => s.name === name).map((s) => s.service))];
    expect(processOf('POST /expenses/:id/approve')).toEqual(['approvals-api']); // edge
    expect(processOf('expenses.decide')).toEqual(['approvals-api']); // db
    expect(processOf('policy.receipt_required')).toEqual(['approvals-api']); // workflow
    expect(processOf('outbox.add expense.approved')).toEqual(['approvals-api']); // outbox
    expect(processOf('publish expense.approved')).toEqual(['approvals-relay']); // relay → bus
    expect(processOf('process_event')).toEqual(['approvals-api']); // handlers
    expect(processOf('webhook.deliver')).toEqual(['approvals-api']); // webhook
    expect(processOf('job notification.send')).toEqual(['approvals-worker']); // jobs
    expect(processOf('job report.render')).toEqual(['approvals-worker']);
    expect(processOf('batch report.lines')).toEqual(['approvals-worker']); // batch
    expect(spans.filter((s) => s.name === 'batch.item report.lines').length).toBeGreaterThan(0);

    // One root (the edge), and every other span's parent is a span of this trace.
    const ids = new Set(spans.map((s) => s.spanId));
    const roots = spans.filter((s) => s.parentSpanId === null || !ids.has(s.parentSpanId));
    expect(roots.map((s) => s.name)).toEqual(['POST /expenses/:id/approve']);
    expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([decided.traceId]));
    expect(new Set(spans.map((s) => s.tenantId))).toEqual(new Set([TENANTS.acme.id]));
    // The hops that cross a process hang under the span that sent them.
    const byId = new Map(spans.map((s) => [s.spanId, s]));
    const parentName = (name: string) => [...new Set(spans.filter((s) => s.name === name).map((s) => byId.get(s.parentSpanId as string)?.name))];
    expect(parentName('job notification.send')).toEqual(['enqueue notification.send']);
    expect(parentName('batch report.lines')).toEqual(['job report.render']);
    // The webhook request carried the trace to the tenant's endpoint, signed.
    expect((receiver as WebhookReceiver).received.some((r) => r.verified && r.traceparent?.includes(`-${decided.traceId}-`) === true)).toBe(true);
  });

  it('50 concurrent approvals by 10 tenants never share a trace or a span, and no span carries another tenant', { timeout: 180_000 }, async () => {
    const tenants = TENANT_LIST.slice(0, 10);
    expect(tenants).toHaveLength(10);
    const { rows: before } = await probe.query<{ n: number }>(`SELECT count(DISTINCT run_id)::int AS n FROM ${SCHEMA}.job_runs`);
    const requests = Array.from({ length: 50 }, (_, i) => tenants[i % 10] as Tenant);
    const answers = await Promise.all(
      requests.map(async (tenant) => ({ tenant, ...(await submitAndApprove(baseUrl, tenant, { amountCents: 30_00, category: 'meals', hasReceipt: true })) })),
    );
    const approved = answers.filter((a) => a.decided.status === 200);
    // Each approval's handlers enqueue two jobs (notification, report); all of them finish, failed or not.
    await settled((before[0]?.n ?? 0) + 2 * approved.length);
    await flushed();

    const traceIds = answers.flatMap((a) => [a.submitted.traceId, a.decided.traceId]);
    expect(new Set(traceIds).size).toBe(100);
    const spanOwner = new Map<string, string>();
    for (const answer of answers) {
      const { spans } = await trace(answer.decided.traceId);
      expect(spans.length).toBeGreaterThan(5);
      expect(new Set(spans.map((s) => s.tenantId))).toEqual(new Set([answer.tenant.id]));
      expect(new Set(spans.map((s) => s.traceId))).toEqual(new Set([answer.decided.traceId]));
      for (const span of spans) {
        expect(spanOwner.get(span.spanId)).toBeUndefined();
        spanOwner.set(span.spanId, answer.decided.traceId);
      }
    }
    // The database agrees: each audit row of these traces is its request's tenant.
    const { rows } = await probe.query<{ trace_id: string; tenant_id: string }>(`SELECT trace_id, tenant_id FROM ${SCHEMA}.audit_events WHERE trace_id = ANY($1)`, [traceIds]);
    const tenantOfTrace = new Map(answers.flatMap((a) => [[a.submitted.traceId, a.tenant.id], [a.decided.traceId, a.tenant.id]] as const));
    expect(rows).toHaveLength(100);
    for (const row of rows) expect(row.tenant_id).toBe(tenantOfTrace.get(row.trace_id));
  });
});
