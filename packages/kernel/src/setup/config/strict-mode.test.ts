import { PGlite } from '@electric-sql/pglite';
import { trace } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runInNewContext, withContext } from '../../core/context/context-store.js';
import type { Database } from '../../hops/db/database.js';
import { createPgliteDatabase } from '../../hops/db/pglite/pglite-database.js';
import { createTracedQuery } from '../../hops/db/traced-query.js';
import { parseDbOptions } from '../../hops/db/db-options.js';
import { inProcessJobEngine } from '../../hops/jobs/in-process-engine.js';
import { createJobs } from '../../hops/jobs/jobs.js';
import { createLogger } from '../../pipeline/logs/create-logger.js';
import { logStats } from '../../pipeline/logs/log-stats.js';
import { createOutbox } from '../../hops/outbox/outbox.js';
import { createOutboxRelay } from '../../hops/outbox/outbox-relay.js';
import { createInProcessBus } from '../../hops/events/in-process-bus.js';
import { consumeEvents } from '../../hops/events/event-consumer.js';
import { createCheckpointStore } from '../../hops/events/checkpoint-store.js';
import { startStitch } from '../start-stitch.js';
import type { StitchHandle } from '../start-stitch.js';
import { createWebhooks } from '../../hops/webhooks/webhooks.js';
import { loadConfig } from './load-config.js';
import { callSite, isStrictMode, readStrictModeEnv, setStrictMode, withoutStrictMode } from './strict-mode.js';

const TENANT_A = '11111111-1111-4111-8111-111111111111';
const TENANT_B = '22222222-2222-4222-8222-222222222222';
const THIS_FILE = 'strict-mode.test.ts';

const exporter = new InMemorySpanExporter();
let stitch: StitchHandle;
let pglite: PGlite;
let db: Database;

beforeAll(async () => {
  stitch = startStitch({ serviceName: 'strict-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
  pglite = new PGlite();
  db = createPgliteDatabase(pglite);
});

afterAll(async () => {
  await db.close();
  await stitch.shutdown();
});

afterEach(() => setStrictMode(undefined));

/** The StitchError `fn` threw or rejected with, for its code and call site. */
async function violation(fn: () => unknown): Promise<{ code: string; params: Record<string, unknown> }> {
  try {
    await fn();
  } catch (error) {
    const raised = error as { code: string; message: string; params: Record<string, unknown> };
    // The call site is in the message too: what a reader of the failing test sees first.
    expect(raised.message).toContain(String(raised.params.callSite));
    return raised;
  }
  throw new Error('expected a strict-mode violation, got none');
}

function capture() {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({ service: 'strict-test', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
  return { logger, lines };
}

describe('strict mode settings', () => {
  it('is on under NODE_ENV test and development, off in production, and STITCH_STRICT decides when set', () => {
    expect(readStrictModeEnv({ NODE_ENV: 'test' })).toBe(true);
    expect(readStrictModeEnv({ NODE_ENV: 'development' })).toBe(true);
    expect(readStrictModeEnv({ NODE_ENV: 'production' })).toBe(false);
    expect(readStrictModeEnv({})).toBe(false);
    expect(readStrictModeEnv({ NODE_ENV: 'test', STITCH_STRICT: 'false' })).toBe(false);
    expect(readStrictModeEnv({ NODE_ENV: 'production', STITCH_STRICT: 'true' })).toBe(true);
    expect(() => readStrictModeEnv({ STITCH_STRICT: 'sometimes' })).toThrow(expect.objectContaining({ code: 'STITCH_ERR_CONFIG_INVALID' }) as Error);
  });

  it('is the config key `strict`: STITCH_STRICT sets it, a bad value stops start-up, unset the loader takes NODE_ENV', () => {
    expect(loadConfig({ env: { STITCH_STRICT: 'false' } }).strict).toBe(false);
    expect(loadConfig({ env: { STITCH_STRICT: 'true', NODE_ENV: 'production' } }).strict).toBe(true);
    expect(loadConfig({ env: { NODE_ENV: 'test' } }).strict).toBe(true);
    expect(loadConfig({ env: { NODE_ENV: 'production' } }).strict).toBe(false);
    expect(loadConfig({ env: { NODE_ENV: 'test', STITCH_STRICT: 'false' } }).strict).toBe(false);
    expect(() => loadConfig({ env: { STITCH_STRICT: 'maybe' } })).toThrow(expect.objectContaining({ code: 'STITCH_ERR_CONFIG_INVALID', message: expect.stringContaining('STITCH_STRICT=maybe') }) as Error);
  });

  it('is on in this suite (vitest sets NODE_ENV=test) until setStrictMode says otherwise', () => {
    expect(isStrictMode()).toBe(true);
    setStrictMode(false);
    expect(isStrictMode()).toBe(false);
    setStrictMode(undefined);
    expect(isStrictMode()).toBe(true);
  });

  it('names the first frame outside the kernel as the call site', () => {
    const stack = ['Error', '    at strictViolation (/app/node_modules/@stitch/kernel/dist/config/strict-mode.js:1:1)', '    at Pino.logMethod (/app/node_modules/pino/lib/tools.js:44:10)', '    at handler (/app/src/invoices.ts:12:7)'].join('\n');
    expect(callSite(stack)).toBe('handler (/app/src/invoices.ts:12:7)');
  });
});

describe('strict mode raises instead of counting', () => {
  it('a log line outside any context throws STITCH_ERR_STRICT_LOG_OUTSIDE_CONTEXT naming the caller; inside one it is written', async () => {
    const { logger, lines } = capture();
    const error = await violation(() => logger.info({ rows: 3 }, 'loaded'));
    expect(error.code).toBe('STITCH_ERR_STRICT_LOG_OUTSIDE_CONTEXT');
    expect(String(error.params.callSite)).toContain(THIS_FILE);
    expect(lines).toEqual([]);
    runInNewContext({ name: 'request', tenantId: TENANT_A }, () => logger.info('inside'));
    expect(lines).toEqual([expect.objectContaining({ msg: 'inside', tenant_id: TENANT_A })]);
  });

  it('with strict mode off, the same line is written, marked context_missing and counted', () => {
    setStrictMode(false);
    const { logger, lines } = capture();
    const before = logStats().contextMissing;
    logger.info('outside');
    expect(lines).toEqual([expect.objectContaining({ msg: 'outside', context_missing: true })]);
    expect(logStats().contextMissing).toBe(before + 1);
  });

  it('a query outside any context rejects with STITCH_ERR_STRICT_QUERY_UNTRACED and never reaches the driver', async () => {
    const sent: string[] = [];
    const execute = (text: string) => {
      sent.push(text);
      return Promise.resolve({ rows: [], rowCount: 0 });
    };
    const query = createTracedQuery(execute, { options: parseDbOptions({ application: 'strict-test' }), system: 'postgresql', supportsNamedStatements: false });
    const error = await violation(() => query('SELECT 1'));
    expect(error.code).toBe('STITCH_ERR_STRICT_QUERY_UNTRACED');
    expect(String(error.params.callSite)).toContain(THIS_FILE);
    expect(sent).toEqual([]);

    await runInNewContext({ name: 'request' }, () => query('SELECT 2'));
    expect(sent).toEqual([expect.stringMatching(/^SELECT 2 \/\*.*traceparent=/)]);
    // Turning the comment off is a decision, not drift; so is the kernel's own DDL.
    const uncommented = createTracedQuery(execute, { options: parseDbOptions({ comment: false }), system: 'postgresql', supportsNamedStatements: false });
    await uncommented('SELECT 3');
    expect(sent.at(-1)).toBe('SELECT 3');
  });

  it('a statement sent to the wrapped PGlite around the wrapper inside a request rejects with STITCH_ERR_STRICT_QUERY_UNCOMMENTED and is not run', async () => {
    await pglite.waitReady;
    await withoutStrictMode(() => db.query('CREATE TABLE guarded_items (id int)'));
    const raw = [
      () => pglite.query('INSERT INTO guarded_items VALUES (1)'),
      () => pglite.exec('INSERT INTO guarded_items VALUES (1)'),
      () => pglite.sql`INSERT INTO guarded_items VALUES (${1})`,
      () => pglite.transaction((tx) => tx.query('INSERT INTO guarded_items VALUES (1)')),
    ];
    await runInNewContext({ name: 'request' }, async () => {
      for (const statement of raw) {
        const error = await violation(statement);
        expect(error.code).toBe('STITCH_ERR_STRICT_QUERY_UNCOMMENTED');
        expect(String(error.params.callSite)).toContain(THIS_FILE);
      }
      // The wrapper's statements and its BEGIN/COMMIT are its own, not drift.
      await db.query('INSERT INTO guarded_items VALUES ($1)', [2]);
      await db.transaction((tx) => tx.query('INSERT INTO guarded_items VALUES ($1)', [3]));
    });
    // Outside any context there is no request for a comment to name; outside strict mode nothing is raised.
    await pglite.query('INSERT INTO guarded_items VALUES (4)');
    setStrictMode(false);
    await runInNewContext({ name: 'request' }, () => pglite.query('INSERT INTO guarded_items VALUES (5)'));
    const { rows } = await pglite.query<{ id: number }>('SELECT id FROM guarded_items ORDER BY id');
    expect(rows.map((row) => row.id)).toEqual([2, 3, 4, 5]);
  });

  it('a job enqueued outside any context throws STITCH_ERR_STRICT_JOB_OUTSIDE_CONTEXT and nothing is sent', async () => {
    const engine = inProcessJobEngine();
    const jobs = createJobs({ engine });
    const ran: string[] = [];
    await jobs.worker('report', () => void ran.push('report'));
    const error = await violation(() => jobs.enqueue('report', {}));
    expect(error).toMatchObject({ code: 'STITCH_ERR_STRICT_JOB_OUTSIDE_CONTEXT', params: { name: 'report' } });
    expect(String(error.params.callSite)).toContain(THIS_FILE);
    await runInNewContext({ name: 'cron report', tenantId: TENANT_A }, () => jobs.enqueue('report', {}));
    await engine.idle();
    expect(ran).toEqual(['report']);
    await jobs.close();
  });

  it('a webhook sent outside any context throws STITCH_ERR_STRICT_WEBHOOK_OUTSIDE_CONTEXT and records no delivery', async () => {
    const webhooks = createWebhooks({ db, schema: 'strict_webhooks', allowNetworks: ['127.0.0.0/8'] });
    await webhooks.migrate();
    const endpoint = await runInNewContext({ name: 'setup', tenantId: TENANT_A }, () => webhooks.addEndpoint({ tenantId: TENANT_A, url: 'http://127.0.0.1:9/hook' }));
    const error = await violation(() => webhooks.send({ endpointId: endpoint.id, eventId: 'evt-1', eventType: 'invoice.paid', payload: {} }));
    expect(error.code).toBe('STITCH_ERR_STRICT_WEBHOOK_OUTSIDE_CONTEXT');
    expect(String(error.params.callSite)).toContain(THIS_FILE);
    const { rows } = await pglite.query<{ n: number }>('SELECT count(*)::int AS n FROM strict_webhooks.webhook_deliveries');
    expect(rows[0]?.n).toBe(0);
  });

  it('an event added to the outbox without trace headers throws STITCH_ERR_STRICT_EVENT_UNTRACED and stores nothing', async () => {
    const outbox = createOutbox({ db, schema: 'strict_outbox' });
    await outbox.migrate();
    const error = await violation(() => outbox.add(db, { type: 'invoice.paid', payload: {} }));
    expect(error).toMatchObject({ code: 'STITCH_ERR_STRICT_EVENT_UNTRACED', params: { name: 'invoice.paid' } });
    expect(String(error.params.callSite)).toContain(THIS_FILE);
    expect((await outbox.lag()).unsentCount).toBe(0);
    await runInNewContext({ name: 'request', tenantId: TENANT_A }, () => db.transaction((tx) => outbox.add(tx, { type: 'invoice.paid', payload: {} })));
    expect((await outbox.lag()).unsentCount).toBe(1);
  });

  it('an envelope published on a bus without trace headers rejects with STITCH_ERR_STRICT_EVENT_UNTRACED; with them it is delivered', async () => {
    const bus = createInProcessBus();
    const seen: string[] = [];
    const subscription = await bus.subscribe('strict-bus', async (envelope) => void seen.push(envelope.type));
    const envelope = { id: '0b0b6b4e-2c1d-4c8a-9f3e-5d6c7b8a9f01', type: 'invoice.paid', occurredAt: new Date().toISOString(), payload: {} };
    const error = await violation(() => bus.publish(envelope));
    expect(error).toMatchObject({ code: 'STITCH_ERR_STRICT_EVENT_UNTRACED', params: { name: 'invoice.paid' } });
    expect(String(error.params.callSite)).toContain(THIS_FILE);
    await bus.publish({ ...envelope, traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' });
    await expect.poll(() => seen).toEqual(['invoice.paid']);
    await subscription.close();
  });

  it('a child span naming another tenant than its context throws STITCH_ERR_STRICT_TENANTS_MIXED; a tenant switch starts a new trace instead', async () => {
    const tracer = trace.getTracer('strict-test');
    const error = await violation(() =>
      runInNewContext({ name: 'request', tenantId: TENANT_A }, () => tracer.startSpan('leak', { attributes: { 'tenant.id': TENANT_B } }).end()),
    );
    expect(error.code).toBe('STITCH_ERR_STRICT_TENANTS_MIXED');
    expect(String(error.params.detail)).toContain(TENANT_B);
    expect(String(error.params.callSite)).toContain(THIS_FILE);
    const traces = runInNewContext({ name: 'request', tenantId: TENANT_A }, () => {
      const outer = trace.getActiveSpan()?.spanContext().traceId;
      const inner = withContext({ tenantId: TENANT_B }, () => trace.getActiveSpan()?.spanContext().traceId);
      return { outer, inner };
    });
    expect(traces.inner).not.toBe(traces.outer);
  });

  it('a span of one tenant given another tenant later throws STITCH_ERR_STRICT_TENANTS_MIXED at that line; its own tenant again is fine', async () => {
    const tracer = trace.getTracer('strict-test');
    const span = runInNewContext({ name: 'request', tenantId: TENANT_A }, () => tracer.startSpan('work'));
    expect(span.isRecording()).toBe(true);
    span.setAttribute('tenant.id', TENANT_A);
    const error = await violation(() => span.setAttribute('tenant.id', TENANT_B));
    expect(error.code).toBe('STITCH_ERR_STRICT_TENANTS_MIXED');
    expect(String(error.params.detail)).toContain(TENANT_B);
    expect(String(error.params.callSite)).toContain(THIS_FILE);
    expect((await violation(() => span.setAttributes({ 'tenant.id': TENANT_B }))).code).toBe('STITCH_ERR_STRICT_TENANTS_MIXED');
    span.end();
    expect(exporter.getFinishedSpans().find((s) => s.name === 'work')?.attributes['tenant.id']).toBe(TENANT_A);

    // Without strict mode the span takes what it is given, as before.
    setStrictMode(false);
    const loose = runInNewContext({ name: 'request', tenantId: TENANT_A }, () => tracer.startSpan('loose'));
    loose.setAttribute('tenant.id', TENANT_B);
    loose.end();
    expect(exporter.getFinishedSpans().find((s) => s.name === 'loose')?.attributes['tenant.id']).toBe(TENANT_B);
  });

  it('withoutStrictMode lets deliberate work outside a context through, across awaits', async () => {
    const { logger, lines } = capture();
    await withoutStrictMode(async () => {
      await Promise.resolve();
      logger.info('listening');
    });
    expect(lines).toEqual([expect.objectContaining({ msg: 'listening', context_missing: true })]);
  });
});

describe('strict mode and the kernel’s own work', () => {
  it('relay, consumer, webhook dispatcher and job worker run clean: only the caller’s drift raises', async () => {
    const warnings: Record<string, unknown>[] = [];
    const logger = { warn: (fields: Record<string, unknown>) => void warnings.push(fields) };
    const outbox = createOutbox({ db, schema: 'strict_kernel' });
    const checkpoints = createCheckpointStore({ db, schema: 'strict_kernel' });
    const webhooks = createWebhooks({ db, schema: 'strict_kernel', allowNetworks: ['127.0.0.0/8'], maxAttempts: 1, timeoutMillis: 500, logger });
    await outbox.migrate();
    await checkpoints.migrate();
    await webhooks.migrate();
    const bus = createInProcessBus();
    const handled: (string | undefined)[] = [];
    const { logger: appLogger, lines } = capture();
    const subscription = await consumeEvents({
      bus,
      name: 'strict-test',
      checkpoints,
      actions: [
        {
          kind: 'record',
          run: async (envelope) => {
            handled.push(envelope.tenantId);
            appLogger.info('event handled'); // in the consumer's context: no violation
          },
        },
      ],
    });

    // Port 9 (discard) refuses: the delivery fails its one attempt and is dead-lettered.
    const endpoint = await runInNewContext({ name: 'admin', tenantId: TENANT_A }, () => webhooks.addEndpoint({ tenantId: TENANT_A, url: 'http://127.0.0.1:9/hook' }));
    await runInNewContext({ name: 'POST /invoices', tenantId: TENANT_A }, async () => {
      await db.transaction((tx) => outbox.add(tx, { type: 'invoice.paid', payload: {} }));
      await webhooks.send({ endpointId: endpoint.id, eventId: 'evt-kernel', eventType: 'invoice.paid', payload: {} });
    });

    // From outside any request, as a worker process runs them.
    await createOutboxRelay({ db, outbox, bus }).relayOnce();
    expect(await webhooks.dispatchDue()).toBe(1);
    expect(await outbox.lag()).toMatchObject({ unsentCount: 0 });
    await expect.poll(() => handled).toEqual([TENANT_A]);
    expect(lines).toEqual([expect.objectContaining({ msg: 'event handled', tenant_id: TENANT_A })]);
    expect(warnings).toEqual([expect.objectContaining({ final_state: 'dead' })]);

    const engine = inProcessJobEngine();
    const jobs = createJobs({ engine, logger });
    await jobs.worker('always-fails', () => {
      throw new Error('nope');
    });
    await runInNewContext({ name: 'POST /reports', tenantId: TENANT_A }, () => jobs.enqueue('always-fails', {}, { attempts: 1 }));
    await engine.idle();
    expect(warnings).toHaveLength(2);
    await subscription.close();
    await jobs.close();
  });
});
