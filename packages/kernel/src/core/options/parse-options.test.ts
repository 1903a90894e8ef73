import { PGlite } from '@electric-sql/pglite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { Database } from '../../hops/db/database.js';
import { parseDbOptions } from '../../hops/db/db-options.js';
import { createPgliteDatabase } from '../../hops/db/pglite/pglite-database.js';
import { createEdge } from '../../hops/edge/start-request.js';
import { createAuditLog } from '../../hops/audit/audit-log.js';
import { createCheckpointStore } from '../../hops/events/checkpoint-store.js';
import { createInProcessBus } from '../../hops/events/in-process-bus.js';
import { createNatsBus } from '../../hops/events/nats/nats-bus.js';
import { createRabbitMqBus } from '../../hops/events/rabbitmq/rabbitmq-bus.js';
import { installHttpOut } from '../../hops/http-out/install-http-out.js';
import { inProcessJobEngine } from '../../hops/jobs/in-process-engine.js';
import { createJobs } from '../../hops/jobs/jobs.js';
import { bullmqJobEngine } from '../../hops/jobs/bullmq/bullmq-engine.js';
import { createMemoryRunStore } from '../../hops/jobs/memory-run-store.js';
import { pgBossJobEngine } from '../../hops/jobs/pg-boss/pg-boss-engine.js';
import { createSqlRunStore } from '../../hops/jobs/sql-run-store.js';
import { createOutbox } from '../../hops/outbox/outbox.js';
import { createOutboxRelay } from '../../hops/outbox/outbox-relay.js';
import { createWebhooks } from '../../hops/webhooks/webhooks.js';
import { createLogger } from '../../pipeline/logs/create-logger.js';
import { createOtlpLogStream } from '../../pipeline/logs/otlp-log-stream.js';
import { createRedactor } from '../../pipeline/redaction/redactor.js';
import { parseTracingOptions } from '../tracing/tracing-options.js';
import { StitchError } from '../errors/stitch-error.js';
import { issueDetail, parseOptions } from './parse-options.js';

/** What `fn` threw: its code and message, so a raw ZodError (no code) fails the assertion. */
function thrown(fn: () => unknown): { code: string | undefined; message: string } {
  try {
    fn();
  } catch (error) {
    return { code: error instanceof StitchError ? error.code : undefined, message: (error as Error).message };
  }
  throw new Error('did not throw');
}

const Schema = z.object({
  timeoutMillis: z.number().int().positive().default(800),
  retry: z.object({ attempts: z.number().int().min(1).default(3) }).prefault({}),
  hosts: z.array(z.string()).default([]),
});

describe('parseOptions()', () => {
  it('fills defaults and deep-freezes the result', () => {
    const options = parseOptions(Schema, { hosts: ['a'] }, 'demo');
    expect(options).toEqual({ timeoutMillis: 800, retry: { attempts: 3 }, hosts: ['a'] });
    expect(Object.isFrozen(options)).toBe(true);
    expect(Object.isFrozen(options.retry)).toBe(true);
    expect(Object.isFrozen(options.hosts)).toBe(true);
  });

  it('names every bad key under its section in one STITCH_ERR_CONFIG_INVALID, an unknown one with the nearest valid key', () => {
    const { code, message } = thrown(() => parseOptions(Schema, { timeoutMilis: 5, retry: { attempts: 0, atempts: 2 }, zzz: 1 }, 'demo'));
    expect(code).toBe('STITCH_ERR_CONFIG_INVALID');
    expect(message).toContain('demo.timeoutMilis: unknown key; did you mean timeoutMillis?');
    expect(message).toContain('demo.retry.atempts: unknown key; did you mean attempts?');
    // No plausible typo: the keys allowed there instead of a wild guess.
    expect(message).toContain('demo.zzz: unknown key; allowed here: timeoutMillis, retry, hosts');
    expect(message).toMatch(/demo\.retry\.attempts: Too small/);
  });

  it('leaves a RegExp or a handle passed through a schema unfrozen, so it keeps working', () => {
    const pattern = /x/g;
    const options = parseOptions(z.object({ pattern: z.instanceof(RegExp) }), { pattern }, 'demo');
    expect(Object.isFrozen(options.pattern)).toBe(false);
    expect(pattern.exec('axx')?.index).toBe(1);
  });

  it('issueDetail() writes Zod issues as `path: message`, joined by `; `', () => {
    const parsed = z.object({ a: z.string(), b: z.number() }).safeParse({ a: 1, b: 'x' });
    expect(parsed.success).toBe(false);
    if (!parsed.success) expect(issueDetail(parsed.error.issues)).toMatch(/^a: .+; b: .+$/);
  });
});

describe('every public factory refuses a bad option with STITCH_ERR_CONFIG_INVALID, never a raw ZodError', () => {
  let db: Database;
  beforeAll(() => {
    db = createPgliteDatabase(new PGlite());
  });
  afterAll(() => db.close());

  const cases: [string, () => unknown, string][] = [
    ['createEdge', () => createEdge({ trustedUpstreams: ['not-an-address'] }), 'edge.trustedUpstreams.0'],
    ['parseDbOptions (every database)', () => parseDbOptions({ comment: 'yes' as unknown as boolean }), 'db.comment'],
    ['installHttpOut', () => installHttpOut({ enabeld: false } as never), 'httpOut.enabeld: unknown key; did you mean enabled?'],
    ['parseTracingOptions', () => parseTracingOptions({ sampling: { ratio: 2 } }), 'tracing.sampling.ratio'],
    ['createWebhooks', () => createWebhooks({ db, timeoutMilis: 500 } as never), 'webhooks.timeoutMilis: unknown key; did you mean timeoutMillis?'],
    ['createJobs', () => createJobs({ engine: inProcessJobEngine(), defaults: { attempts: 0 } }), 'jobs.defaults.attempts'],
    ['createRedactor', () => createRedactor({ maxDepth: 0 }), 'redaction.maxDepth'],
    ['createOtlpLogStream', () => createOtlpLogStream({ serviceName: 'svc', endpoint: 'not a url' }), 'logs.otlp.endpoint'],
    ['createLogger', () => createLogger({ service: 'svc', level: 'loud' as never }), 'logger.level'],
    ['createInProcessBus', () => createInProcessBus({ maxDeliveries: 0 }), 'inProcessBus.maxDeliveries'],
    ['createMemoryRunStore', () => createMemoryRunStore({ maxRun: 5 } as never), 'memoryRunStore.maxRun: unknown key; did you mean maxRuns?'],
    [
      'createOutboxRelay',
      () => createOutboxRelay({ db, outbox: createOutbox({ db }), bus: createInProcessBus(), batchSize: 0 }),
      'outboxRelay.batchSize',
    ],
    // The SQL stores: their schema is interpolated into DDL.
    ['createOutbox', () => createOutbox({ db, schema: 'Outbox-Events' }), 'outbox.schema: use lower-case letters'],
    ['createAuditLog', () => createAuditLog({ db, schem: 'audit' } as never), 'auditLog.schem: unknown key; did you mean schema?'],
    ['createCheckpointStore', () => createCheckpointStore({ db, schema: 'my schema' }), 'checkpointStore.schema'],
    ['createSqlRunStore', () => createSqlRunStore(db, { schma: 'jobs' } as never), 'sqlRunStore.schma: unknown key; did you mean schema?'],
    // The job engines, before any connection is made.
    ['bullmqJobEngine', () => bullmqJobEngine({ connection: { host: '127.0.0.1', port: 6379 }, keepCompleted: -1 }), 'bullmqJobEngine.keepCompleted'],
    ['pgBossJobEngine', () => pgBossJobEngine({ connectionString: 'postgres://postgres@127.0.0.1/test', pollingIntervalSeconds: 0.1 }), 'pgBossJobEngine.pollingIntervalSeconds'],
  ];

  // The buses, before the connection they are given is used (a bare object would fail there).
  const asyncCases: [string, () => Promise<unknown>, string][] = [
    ['createNatsBus', () => createNatsBus({ connection: {} as never, retryDelayMilis: 5 } as never), 'natsBus.retryDelayMilis: unknown key; did you mean retryDelayMillis?'],
    ['createNatsBus', () => createNatsBus({ connection: {} as never, subjectPrefix: 'events.>' }), 'natsBus.subjectPrefix'],
    ['createRabbitMqBus', () => createRabbitMqBus({ connection: {} as never, prefetch: 0 }), 'rabbitMqBus.prefetch'],
  ];

  for (const [name, make, named] of cases) {
    it(`${name} names ${named.split(':')[0]}`, () => {
      const { code, message } = thrown(make);
      expect(code).toBe('STITCH_ERR_CONFIG_INVALID');
      expect(message).toContain(named);
    });
  }

  for (const [name, make, named] of asyncCases) {
    it(`${name} rejects naming ${named.split(':')[0]}`, async () => {
      const error: unknown = await make().then(
        () => undefined,
        (reason: unknown) => reason,
      );
      expect(error).toBeInstanceOf(StitchError);
      expect((error as StitchError).code).toBe('STITCH_ERR_CONFIG_INVALID');
      expect((error as StitchError).message).toContain(named);
    });
  }

  it('createOutboxRelay, which took any number before, takes its defaults and names a typo', () => {
    const outbox = createOutbox({ db });
    expect(() => createOutboxRelay({ db, outbox, bus: createInProcessBus() })).not.toThrow();
    expect(thrown(() => createOutboxRelay({ db, outbox, bus: createInProcessBus(), pollIntervalMilis: 5 } as never)).message).toContain(
      'outboxRelay.pollIntervalMilis: unknown key; did you mean pollIntervalMillis?',
    );
  });
});
