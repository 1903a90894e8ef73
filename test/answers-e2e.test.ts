/**
 * Issue 11, "right on real kernel output": a small multi-tenant service instrumented with the
 * real kernel (Express edge, Postgres, audit, outbox → bus → two consumers, webhooks, BullMQ
 * jobs run by a worker in another process, withSpan approval steps) exports over OTLP/HTTP to a
 * real `stitch serve`; faults are planted among ordinary traffic from five tenants; and every
 * question is asked through the `stitch` CLI as a user types it. Each answer's first row must
 * be the culprit. Unit tests on synthetic rows stay beside the questions; this is the proof.
 *
 * Real Postgres (own schema) and Redis (own BullMQ prefix), both removed afterwards.
 *
 * `STITCH_TEST_STORE=clickhouse` runs it all on Stitch's ClickHouse engine instead of DuckDB:
 * `stitch serve --store chdb://<dir>` (ClickHouse embedded in the serve process), the same
 * traffic and the same culprits expected (issue 19; `npm test` runs both).
 */
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { Queue } from 'bullmq';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type {
  ErrorsResponse,
  JobOriginResponse,
  QueriesTopResponse,
  RequestJobsResponse,
  RetriesResponse,
  SlowResponse,
  TraceResponse,
  ViolationsResponse,
  WebhookRetriesResponse,
} from '@stitch/contract';
import { createStitch, withoutStrictMode } from '@stitch/kernel';
import type { Stitch } from '@stitch/kernel';
import { createPgDatabase } from '@stitch/kernel/db/pg';
import { createAnswersService } from './fixtures/answers/service.js';
import type { AnswersService, ServiceConditions } from './fixtures/answers/service.js';
import { startStitchServe, stopGroup } from './fixtures/answers/stitch-cli.js';
import type { RunningCollector } from './fixtures/answers/stitch-cli.js';
import { JOB_NAMES, TENANTS } from './fixtures/answers/tenants.js';
import { BURST_REQUESTS_PER_TENANT, plantTraffic } from './fixtures/answers/traffic.js';
import type { Planted } from './fixtures/answers/traffic.js';

const suffix = randomBytes(4).toString('hex');
const SCHEMA = `stitch_answers_${suffix}`;
const BULLMQ_PREFIX = `stitch-answers-${suffix}`;
const REDIS = { host: '127.0.0.1', port: 6379 };
const PG = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' };

const conditions: ServiceConditions = {
  slowSearchTenantId: TENANTS.umbrella.id,
  // Over the 200 ms query budget: the slow tenant also breaks budgets, on its own route.
  slowSearchSeconds: 0.3,
  inventorySpike: false,
  spikeSeconds: 0.08,
  reportBurst: false,
  // Over the 500 ms route budget, for every tenant at once.
  burstMillis: 650,
  failingApprovalTenantId: TENANTS.initech.id,
};

let dir: string;
let collector: RunningCollector | undefined;
let receiver: Server | undefined;
let stitch: Stitch | undefined;
let service: AnswersService | undefined;
let api: Server | undefined;
let worker: ChildProcess | undefined;
const probe = new pg.Pool({ ...PG, max: 2 });
let planted: Planted;
let nightlyRunId: string;
/** A platform-wide reader, as an on-call engineer has. */
let platform: string;
/** Bound to initech: what that tenant's own engineers get. */
let initechReader: string;
/** What `stitch status` names as the store once everything is stored: the engine answering. */
let storePath: string;
/** `--store` of the run, or undefined for the DuckDB default. */
let store: string | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stitch-answers-'));
  store = process.env.STITCH_TEST_STORE === 'clickhouse' ? `chdb://${join(dir, 'clickhouse')}` : undefined;
  collector = await startStitchServe(join(dir, 'stitch.duckdb'), store);
  const admin = await collector.createToken('admin', null);
  platform = await collector.createToken('traces:read', null);
  initechReader = await collector.createToken('traces:read', TENANTS.initech.id);

  // Two webhook receivers: acme's answers 200 (busy and healthy), globex's 500 to everything.
  receiver = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(req.url === '/hooks/storm' ? 500 : 200).end());
  });
  await new Promise<void>((resolve) => receiver?.listen(0, '127.0.0.1', resolve));
  const hooksBase = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}`;

  // Configured only as a user would: the standard OpenTelemetry variables.
  stitch = createStitch({
    env: { OTEL_SERVICE_NAME: 'answers-api', OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, STITCH_LOG_LEVEL: 'error' },
  });
  const db = createPgDatabase(new pg.Pool({ ...PG, max: 6 }), { application: 'answers-api' });
  service = createAnswersService({
    db,
    schema: SCHEMA,
    redis: REDIS,
    bullmqPrefix: BULLMQ_PREFIX,
    conditions,
    probe,
    webhookUrls: new Map([
      [TENANTS.acme.id, `${hooksBase}/hooks/healthy`],
      [TENANTS.globex.id, `${hooksBase}/hooks/storm`],
    ]),
  });
  await service.start();
  const server = service.app.listen(0, '127.0.0.1');
  api = server;
  await new Promise<void>((resolve) => server.once('listening', resolve));

  worker = fork(fileURLToPath(new URL('./fixtures/answers/job-worker.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx', '--conditions=source'],
    env: {
      ...process.env,
      OTEL_SERVICE_NAME: 'answers-worker',
      OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
      STITCH_LOG_LEVEL: 'error',
      ANSWERS_SCHEMA: SCHEMA,
      ANSWERS_BULLMQ_PREFIX: BULLMQ_PREFIX,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  await new Promise<void>((resolve, reject) => {
    worker?.once('message', () => resolve());
    worker?.once('exit', (code) => reject(new Error(`job worker exited (${String(code)}) before it was ready`)));
  });

  planted = await plantTraffic(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, conditions);
  // A scheduler's tick: a job enqueued outside any request (strict mode, on under NODE_ENV=test,
  // would call that drift; a scheduler says it is on purpose).
  nightlyRunId = (await withoutStrictMode(() => (service as AnswersService).jobs.enqueue('report.nightly', {}, { tenantId: TENANTS.hooli.id }))).runId;

  // Everything the traffic caused has happened: events handled, deliveries final, runs final.
  await service.drained();
  await waitForRuns([...planted.runIds, nightlyRunId]);

  // Both kernels flush on shutdown; the worker's is a process exit away.
  await new Promise((resolve) => server.close(resolve));
  api = undefined;
  await service.stop();
  await db.close();
  await stitch.shutdown();
  const exited = new Promise((resolve) => worker?.once('exit', resolve));
  worker.send({ stop: true });
  await exited;
  expect(stitch.stats().export).toMatchObject({ droppedQueueFull: 0 });
  storePath = await waitForStored(collector, admin);
}, 120_000);

afterAll(async () => {
  // Also after a failure half-way: every child, server, schema, queue and file goes.
  api?.close();
  receiver?.close();
  await service?.stop().catch(() => undefined);
  await stitch?.shutdown();
  if (worker !== undefined) await stopGroup(worker);
  await collector?.stop();
  for (const name of JOB_NAMES) {
    const queue = new Queue(name, { connection: REDIS, prefix: BULLMQ_PREFIX });
    await queue.obliterate({ force: true });
    await queue.close();
  }
  await probe.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await probe.end();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Polls the run records (untraced) until every run has a final outcome. */
async function waitForRuns(runIds: readonly string[], timeoutMillis = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  for (;;) {
    const { rows } = await probe.query<{ n: number }>(
      `SELECT count(DISTINCT run_id)::int AS n FROM ${SCHEMA}.job_runs WHERE run_id = ANY($1) AND outcome IN ('succeeded', 'failed')`,
      [runIds],
    );
    if (rows[0]?.n === runIds.length) return;
    if (Date.now() > deadline) throw new Error(`only ${String(rows[0]?.n)} of ${runIds.length} job runs finished`);
    await sleep(100);
  }
}

/** Polls `stitch status --json` until everything accepted is stored and nothing more arrives; the store's path. */
async function waitForStored(running: RunningCollector, token: string, timeoutMillis = 30_000): Promise<string> {
  interface Status {
    ingest: { acceptedSpans: number; queueDepth: number };
    store: { spans: number; path: string };
  }
  const deadline = Date.now() + timeoutMillis;
  let previous = -1;
  for (;;) {
    const status = await running.askJson<Status>(token, ['status']);
    const settled = status.ingest.queueDepth === 0 && status.store.spans === status.ingest.acceptedSpans && status.store.spans > 0;
    if (settled && status.store.spans === previous) return status.store.path;
    previous = settled ? status.store.spans : -1;
    if (Date.now() > deadline) throw new Error(`collector not settled: ${JSON.stringify(status)}`);
    await sleep(300);
  }
}

const ask = <T>(token: string, argv: string[]) => (collector as RunningCollector).askJson<T>(token, argv);

/**
 * The first data row of a plain table, split on runs of spaces: the line after the header, the
 * first line whose first cell is `firstHeader` (tables may follow a line about the window).
 */
function firstDataRow(table: string, firstHeader: string): string[] {
  const lines = table.split('\n');
  const header = lines.findIndex((line) => line.trim().split(/\s{2,}/)[0] === firstHeader);
  return header < 0 ? [] : (lines[header + 1] ?? '').trim().split(/\s{2,}/);
}

describe('every question, asked through the stitch CLI, puts the planted culprit first', () => {
  it('the traffic planted every fault: several tenants, failed approvals, jobs, retries', () => {
    expect(planted.requests).toBeGreaterThan(200);
    expect(planted.failedApprovalTraceIds.length).toBeGreaterThanOrEqual(3);
    expect(planted.runIds.length).toBeGreaterThan(20);
  });

  it('the answers come from the engine under test: the DuckDB file, or ClickHouse with STITCH_TEST_STORE=clickhouse', () => {
    expect(storePath).toBe(store ?? join(dir, 'stitch.duckdb'));
  });

  it('stitch slow --tenant <umbrella>: the route, then the job, where umbrella is slow compared with the others, not the burst that hit everyone', async () => {
    const answer = await ask<SlowResponse>(platform, ['slow', '--tenant', TENANTS.umbrella.id]);
    const [first] = answer.routes;
    expect(first?.route).toBe('/orders/search');
    expect(first?.otherTenantsRatio).toBeGreaterThan(1.5);
    expect(first?.platformWide).toBe(false);
    // Inside it, the query that accounts for the excess, and umbrella's slowest searches.
    expect(first?.step).toMatchObject({ name: 'orders.search', component: 'query' });
    expect(first?.step?.excessMs).toBeGreaterThan(24 * conditions.slowSearchSeconds * 1000 * 0.8);
    expect(first?.exampleTraceIds).toHaveLength(3);
    // Umbrella's invoice job, run by the worker process, is slow for umbrella alone: next, with its step.
    expect(answer.routes[1]).toMatchObject({ route: 'job invoice.render', entryKind: 'job', platformWide: false, step: { name: 'invoice.layout' } });
    expect(answer.routes[1]?.otherTenantsRatio).toBeGreaterThan(1.5);
    // The order-mailer consumer, slow for umbrella alone, is ranked with the routes and the job.
    const mailer = answer.routes.find((r) => r.route === 'consumer order-mailer');
    expect(mailer).toMatchObject({ entryKind: 'consumer', platformWide: false });
    expect(mailer?.otherTenantsRatio).toBeGreaterThan(1.5);
    // The burst is there, marked as platform-wide, and below the culprit.
    const burst = answer.routes.find((r) => r.route === '/reports/export');
    expect(burst?.platformWide).toBe(true);
    expect(burst?.p95Ms).toBeGreaterThan(first?.p95Ms ?? Infinity);

    // Every route shows the budget it runs under, the 500 ms default within budget included.
    expect(answer.routes.filter((r) => r.entryKind === 'http').map((r) => [r.route, r.budgetMs])).toEqual(
      answer.routes.filter((r) => r.entryKind === 'http').map((r) => [r.route, 500]),
    );

    const table = await (collector as RunningCollector).ask(platform, ['slow', '--tenant', TENANTS.umbrella.id]);
    expect(table.code).toBe(0);
    const row = firstDataRow(table.stdout, 'ROUTE');
    expect([row[0], row[10]]).toEqual(['/orders/search', 'orders.search']);
  });

  it('stitch slow with the tenant’s own token: the same culprit first and the burst marked, without any other tenant’s figures', async () => {
    const umbrellaReader = await (collector as RunningCollector).createToken('traces:read', TENANTS.umbrella.id);
    const answer = await ask<SlowResponse>(umbrellaReader, ['slow']);
    expect(answer.routes[0]?.route).toBe('/orders/search');
    expect(answer.routes.find((r) => r.route === '/reports/export')?.platformWide).toBe(true);
    expect(answer.routes.every((r) => r.otherTenantsP95Ms === null && r.otherTenantsRatio === null && r.excessMs === null)).toBe(true);
  });

  it('stitch webhooks --retries: the failing endpoint first, ahead of the busy healthy one', async () => {
    const answer = await ask<WebhookRetriesResponse>(platform, ['webhooks', '--retries']);
    const storm = (service as AnswersService).endpointIds.get(TENANTS.globex.id);
    const healthy = (service as AnswersService).endpointIds.get(TENANTS.acme.id);
    expect(answer.endpoints.map((e) => e.endpoint)).toEqual([storm, healthy]);
    const [first, second] = answer.endpoints;
    expect(first).toMatchObject({ tenants: [TENANTS.globex.id], statusCodes: [500], failureRatio: 1, maxAttempt: 4 });
    // The healthy endpoint is busier: ranking by attempts would have put it first.
    expect(second?.attempts).toBeGreaterThan(first?.attempts ?? Infinity);
    expect(second).toMatchObject({ retries: 0, failures: 0 });

    const table = await (collector as RunningCollector).ask(platform, ['webhooks', '--retries']);
    expect(firstDataRow(table.stdout, 'ENDPOINT')[0]).toBe(storm);
  });

  it('stitch job <runId> --origin: a job run by the worker process, retried once, leads back to the request that enqueued it', async () => {
    const answer = await ask<JobOriginResponse>(platform, ['job', planted.flakyOrder.runId, '--origin']);
    expect(answer.origin).toMatchObject({ traceId: planted.flakyOrder.traceId, route: '/orders', tenantId: TENANTS.acme.id, service: 'answers-api' });
    expect(answer.origin?.requestId).toEqual(expect.any(String));
    // The enqueue span in the request's trace, then the two attempts (the first failed, the retry succeeded).
    expect(answer.runs.map((r) => [r.role, r.statusCode])).toEqual([['enqueue', 0], ['attempt', 2], ['attempt', 0]]);
    expect(answer.runs[0]?.traceId).toBe(planted.flakyOrder.traceId);
    const attempts = answer.runs.filter((r) => r.role === 'attempt');
    // The attempts ran in the worker process, in the request's trace.
    const trace = await ask<TraceResponse>(platform, ['trace', planted.flakyOrder.traceId]);
    const runSpans = trace.spans.filter((s) => attempts.some((a) => a.spanId === s.spanId));
    expect(runSpans.map((s) => s.service)).toEqual(['answers-worker', 'answers-worker']);

    const table = await (collector as RunningCollector).ask(platform, ['job', planted.flakyOrder.runId, '--origin']);
    expect(table.stdout).toMatch(new RegExp(`origin: POST /orders \\(/orders\\) in answers-api, trace ${planted.flakyOrder.traceId}, request \\S+, tenant ${TENANTS.acme.id}`));
  });

  it('stitch job <runId> --origin: a single-attempt job and a job that fails every attempt lead back to their requests too', async () => {
    const plain = await ask<JobOriginResponse>(platform, ['job', planted.plainOrder.runId, '--origin']);
    expect(plain.origin).toMatchObject({ traceId: planted.plainOrder.traceId, route: '/orders', tenantId: TENANTS.hooli.id });
    const failing = await ask<JobOriginResponse>(platform, ['job', planted.failingExport.runId, '--origin']);
    expect(failing.origin).toMatchObject({ traceId: planted.failingExport.traceId, route: '/ledger/export', tenantId: TENANTS.hooli.id });
    expect(failing.runs.filter((r) => r.statusCode === 2)).toHaveLength(3);
  });

  it('stitch job <runId> --origin: a job enqueued outside any request has no origin, and says so', async () => {
    const answer = await ask<JobOriginResponse>(platform, ['job', nightlyRunId, '--origin']);
    expect(answer).toMatchObject({ origin: null, parentTraceId: null, parentRequestId: null });
    expect(answer.runs.map((r) => [r.jobName, r.tenantId, r.statusCode])).toContainEqual(['report.nightly', TENANTS.hooli.id, 0]);
    const table = await (collector as RunningCollector).ask(platform, ['job', nightlyRunId, '--origin']);
    expect(table.stdout).toContain('origin: none');
  });

  it('stitch request <traceId> --jobs: the request lists the job it enqueued, both attempts run by the worker process', async () => {
    const answer = await ask<RequestJobsResponse>(platform, ['request', planted.flakyOrder.traceId, '--jobs']);
    expect(answer.jobs.map((j) => [j.jobName, j.runId, j.statusCode, j.tenantId])).toEqual([
      ['invoice.render', planted.flakyOrder.runId, 2, TENANTS.acme.id],
      ['invoice.render', planted.flakyOrder.runId, 0, TENANTS.acme.id],
    ]);
  });

  it('stitch errors: the failed approval is one row, with its route, the failing step, its code and its tenant', async () => {
    const answer = await ask<ErrorsResponse>(platform, ['errors']);
    const approvals = answer.groups.filter((g) => g.entry === '/orders/:id/approve');
    expect(approvals).toHaveLength(1);
    expect(approvals[0]).toMatchObject({
      entryKind: 'http',
      step: 'approval.manager_sign_off',
      errorType: 'APPROVAL_NO_SIGNER',
      tenants: [{ tenantId: TENANTS.initech.id, count: planted.failedApprovalTraceIds.length }],
      traceCount: planted.failedApprovalTraceIds.length,
    });
    expect(planted.failedApprovalTraceIds).toContain(approvals[0]?.exampleTraceIds[0]);
    // One failure, one row: retries and redeliveries exported after their request still name it.
    expect(answer.groups.map((g) => `${g.entryKind ?? '-'} ${g.entry ?? '-'} ${g.step}`).sort()).toEqual(
      [
        'http /orders action.ledger',
        'http /orders webhook.deliver',
        'http /orders job invoice.render',
        'http /ledger/export job ledger.export',
        'http /orders/:id/approve approval.manager_sign_off',
      ].sort(),
    );
  });

  it('stitch errors --grep <message>: which tenant experienced this failure', async () => {
    const answer = await ask<ErrorsResponse>(platform, ['errors', '--grep', 'approver role is empty']);
    expect(answer.groups.map((g) => [g.step, g.tenants])).toEqual([
      ['approval.manager_sign_off', [{ tenantId: TENANTS.initech.id, count: planted.failedApprovalTraceIds.length }]],
    ]);
    const table = await (collector as RunningCollector).ask(platform, ['errors', '--grep', 'APPROVAL_NO_SIGNER']);
    expect(table.stdout).toContain(TENANTS.initech.id);
  });

  it('stitch trace <id>: a failed approval’s trace answers with its tenant, to that tenant’s own token and to no other', async () => {
    const traceId = planted.failedApprovalTraceIds[0] as string;
    const answer = await ask<TraceResponse>(initechReader, ['trace', traceId]);
    expect(answer.spans.length).toBeGreaterThan(3);
    expect(new Set(answer.spans.map((s) => s.tenantId))).toEqual(new Set([TENANTS.initech.id]));
    expect(answer.spans.find((s) => s.name === 'approval.manager_sign_off')?.statusCode).toBe(2);
    const table = await (collector as RunningCollector).ask(initechReader, ['trace', traceId]);
    expect(table.stdout).toContain(TENANTS.initech.id);

    const other = await (collector as RunningCollector).createToken('traces:read', TENANTS.acme.id);
    const refused = await (collector as RunningCollector).ask(other, ['trace', traceId, '--json']);
    expect(refused.code).toBe(1);
  });

  it('stitch violations: the burst route first, summed over every tenant it hit, ahead of one tenant’s slow query', async () => {
    const answer = await ask<ViolationsResponse>(platform, ['violations']);
    const [first, second] = answer.groups;
    expect(first).toMatchObject({ component: 'route', name: '/reports/export', count: BURST_REQUESTS_PER_TENANT * 5, tenantCount: 5, budgetMs: 500 });
    expect(new Set(first?.tenants.map((t) => t.count))).toEqual(new Set([BURST_REQUESTS_PER_TENANT]));
    // The slow tenant's searches break the query budget more often than any one tenant's burst share.
    expect(second).toMatchObject({ component: 'query', name: 'orders.search', route: '/orders/search' });
    expect(second?.tenants[0]).toEqual({ tenantId: TENANTS.umbrella.id, count: 24 });

    const table = await (collector as RunningCollector).ask(platform, ['violations']);
    expect(firstDataRow(table.stdout, 'COMPONENT').slice(0, 3)).toEqual(['route', '/reports/export', String(BURST_REQUESTS_PER_TENANT * 5)]);
  });

  it('stitch retries: every retry loop in one list — the failing consumer, the webhook storm, the failing job, the retried job', async () => {
    const answer = await ask<RetriesResponse>(platform, ['retries']);
    const storm = (service as AnswersService).endpointIds.get(TENANTS.globex.id);
    const looping = answer.loops.filter((l) => l.retries > 0);
    expect(looping.map((l) => [l.kind, l.name])).toEqual([
      ['consumer', 'ledger-sync'],
      ['webhook', storm],
      ['job', 'ledger.export'],
      ['job', 'invoice.render'],
    ]);
    expect(looping[0]).toMatchObject({ eventType: 'order.created', failureRatio: 1, lastError: 'ledger refused the entry: 409 conflict' });
    expect(looping[2]).toMatchObject({ retries: 2, failures: 3, lastError: 'ledger API unavailable: 503' });
    expect(looping[3]).toMatchObject({ retries: 1, failures: 1 });
    expect(looping[3]?.tenants[0]).toMatchObject({ tenantId: TENANTS.acme.id, retries: 1 });
    // The busy healthy endpoint and the healthy consumer are listed with no retries, after the loops.
    expect(answer.loops.slice(looping.length).every((l) => l.retries === 0)).toBe(true);

    const table = await (collector as RunningCollector).ask(platform, ['retries']);
    expect(firstDataRow(table.stdout, 'KIND').slice(0, 2)).toEqual(['consumer', 'ledger-sync <- order.created']);
  });

  it('stitch queries --top --since <spike>: the query whose time grew most is first, by its name, ahead of the heavier steady one', async () => {
    const answer = await ask<QueriesTopResponse>(platform, ['queries', '--top', '--since', planted.recentSince.toISOString()]);
    const [first] = answer.queries;
    expect(first).toMatchObject({ queryName: 'inventory.lookup', tenantCount: 5 });
    // The mean, not the p95: on two shared cores a trivial count can take 100 ms now and then.
    expect((first?.totalMs ?? 0) / (first?.count ?? 1)).toBeGreaterThanOrEqual(conditions.spikeSeconds * 1000);
    expect((first?.baselineTotalMs ?? 0) / Math.max(1, first?.baselineCount ?? 0)).toBeLessThan((conditions.spikeSeconds * 1000) / 2);
    // The slow tenant's searches cost more in the window, and as much before it: not the spike.
    const steady = answer.queries.find((q) => q.queryName === 'orders.search');
    expect(steady?.totalMs).toBeGreaterThan(first?.totalMs ?? Infinity);
    // The kernel's own bookkeeping statements are left out.
    expect(answer.queries.filter((q) => /job_runs|webhook_attempts/.test(`${q.queryName ?? ''} ${q.statement ?? ''}`))).toEqual([]);

    const table = await (collector as RunningCollector).ask(platform, ['queries', '--top', '--since', planted.recentSince.toISOString()]);
    expect(firstDataRow(table.stdout, 'QUERY')[0]).toBe('inventory.lookup');
  });
});
