import { context, diag, SpanKind, trace } from '@opentelemetry/api';
import { LegacyAttr, SpanAttr } from '@stitch/contract';
import { ensureIds, entryOf, getScope, tryCurrentContext } from '../../core/context/context-store.js';
import { entryFields } from '../../core/context/entry.js';
import { strictModeApplies, strictViolation } from '../../setup/config/strict-mode.js';
import type { Queryable } from '../db/queryable.js';
import { runAsHousekeeping } from '../../core/tracing/housekeeping.js';
import { getKernelTracer } from '../../core/tracing/kernel-tracer.js';
import { writesDeprecated } from '../../core/tracing/semconv-opt-in.js';
import { runJobAttempt } from './job-attempt.js';
import { JobCounts } from './job-counts.js';
import type { JobStats } from './job-counts.js';
import type { JobHandler } from './job-attempt.js';
import type { JobEngine } from './job-engine.js';
import { traceHeadersOf } from '../../core/carrier/carrier.js';
import type { JobEnvelope } from './job-envelope.js';
import { checkTenantId } from '../../core/context/tenant-id.js';
import { JobsOptionsSchema } from './job-options.js';
import type { JobSettings, JobsOptionsInput } from './job-options.js';
import type { RunOrigin, RunStore } from './job-run-record.js';
import { createMemoryRunStore } from './memory-run-store.js';
import { newRunId, traceIdForRun } from './run-id.js';
import { parseOptions } from '../../core/options/parse-options.js';

export interface CreateJobsOptions extends JobsOptionsInput {
  readonly engine: JobEngine;
  /** Where run records go; in memory when omitted (in-process default and tests). */
  readonly runs?: RunStore;
  /** Gets one warning per run that failed its last attempt, inside the run's context (trace and tenant fields). */
  readonly logger?: { warn(fields: Record<string, unknown>, message: string): void };
}

export interface EnqueueOptions {
  /** Run no earlier than this many ms from now. */
  readonly delayMillis?: number;
  /**
   * The tenant the job works for, when enqueued outside a request (cron) or for another tenant
   * than the request's. A different tenant than the context's always gets its own linked trace.
   */
  readonly tenantId?: string;
  readonly attempts?: number;
  /**
   * Enqueue inside this transaction: the run record always, the job itself on pg-boss (same
   * database). Other engines send at once, so enqueue after commit there.
   */
  readonly db?: Queryable;
}

export interface EnqueuedJob {
  readonly runId: string;
  /** The trace the run will be in: the request's, or `traceIdForRun(runId)`. */
  readonly traceId: string;
}

export interface Jobs {
  /**
   * Enqueues a job; the caller's trace context, tenant and request id travel with it.
   *
   * @example
   *   const { runId } = await jobs.enqueue('invoice.render', { invoiceId });
   */
  enqueue(name: string, payload: unknown, options?: EnqueueOptions): Promise<EnqueuedJob>;
  /**
   * Runs `handler` for every job called `name`. Inside, `currentContext()` has the tenant and
   * the trace of the request that enqueued it; throw to fail the attempt (it is retried).
   *
   * @example
   *   await jobs.worker('invoice.render', async ({ invoiceId }) => render(invoiceId));
   */
  worker<Payload = unknown>(name: string, handler: JobHandler<Payload>): Promise<void>;
  /** Which request triggered this run? Its record with the enqueuing trace, span and request. */
  origin(runId: string): Promise<RunOrigin | undefined>;
  /** Which jobs did this request trigger? Runs enqueued under that trace id or request id. */
  triggeredBy(traceIdOrRequestId: string): Promise<RunOrigin[]>;
  /** The settings in force for a job name. */
  settingsFor(name: string): JobSettings;
  /** Enqueued jobs and started, succeeded, retrying and failed attempts by job name, in this process (`createMetrics({ jobs })`). */
  stats(): JobStats;
  close(): Promise<void>;
}

/**
 * One jobs surface over any engine: `inProcessJobEngine()`, `bullmqJobEngine()` from
 * `@stitch/kernel/jobs/bullmq`, `pgBossJobEngine()` from `@stitch/kernel/jobs/pg-boss`.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad option (parseOptions), never a raw ZodError.
 * @example
 *   const jobs = createJobs({ engine: inProcessJobEngine(), byName: { 'report.nightly': { newTrace: true } } });
 */
export function createJobs(options: CreateJobsOptions): Jobs {
  const { engine, runs: _runs, logger: _logger, ...section } = options;
  const parsed = parseOptions(JobsOptionsSchema, section, 'jobs');
  const runs = options.runs ?? createMemoryRunStore();
  const settingsCache = new Map<string, JobSettings>();
  // Counted here, not from spans: an enqueue outside any request makes no span, and a head
  // sampler drops the enqueue span of an unsampled request.
  const counts = new JobCounts();

  function settingsFor(name: string): JobSettings {
    let settings = settingsCache.get(name);
    if (settings === undefined) {
      settings = Object.freeze({ ...parsed.defaults, ...parsed.byName[name] });
      settingsCache.set(name, settings);
    }
    return settings;
  }

  return {
    settingsFor,
    stats: () => counts.stats(),

    async enqueue(name, payload, enqueueOptions = {}) {
      const settings = settingsFor(name);
      const runId = newRunId();
      const current = tryCurrentContext();
      if (current === undefined && strictModeApplies()) throw strictViolation('STITCH_ERR_STRICT_JOB_OUTSIDE_CONTEXT', { name });
      // A tenant given here enters the job's context as withContext's would: the same rule.
      const tenantId = enqueueOptions.tenantId === undefined ? current?.tenantId : checkTenantId(enqueueOptions.tenantId);
      const attempts = enqueueOptions.attempts ?? settings.attempts;
      const sendOptions = { runId, delayMillis: enqueueOptions.delayMillis ?? 0, attempts, backoffMillis: settings.backoffMillis, db: enqueueOptions.db };

      if (current === undefined) {
        const envelope: JobEnvelope = { v: 1, runId, ...(tenantId !== undefined && { tenantId }), enqueuedAtMillis: Date.now() };
        const traceId = traceIdForRun(runId);
        await recordEnqueue(runs, engine.kind, name, runId, tenantId, traceId, undefined, undefined, undefined, true, enqueueOptions.db);
        await engine.send(name, { payload, stitch: envelope }, sendOptions);
        counts.count(name, 'enqueued');
        return { runId, traceId };
      }

      // Work for another tenant than the request's never joins the request's trace (no span
      // mixes tenants): it gets its own, linked to the enqueue span, like `newTrace` jobs.
      const ownTrace = settings.newTrace || (current.tenantId !== undefined && tenantId !== current.tenantId);
      const span = ensureIds(
        getKernelTracer().startSpan(`enqueue ${name}`, {
          kind: SpanKind.PRODUCER,
          // No `stitch.component`: that would put the enqueue under the job budget, which is
          // for the run (the budgets processor keys on it).
          attributes: {
            [SpanAttr.jobName]: name,
            [SpanAttr.runId]: runId,
            [SpanAttr.messagingSystem]: engine.kind,
            ...(writesDeprecated('messaging') && { [LegacyAttr.messagingSystem]: engine.kind }),
            [SpanAttr.messagingDestination]: engine.queueName?.(name) ?? name,
            [SpanAttr.messagingOperationType]: 'send',
            ...(current.tenantId !== undefined && { [SpanAttr.tenantId]: current.tenantId }),
          },
        }),
      );
      try {
        const headers = traceHeadersOf(trace.setSpan(context.active(), span));
        const envelope: JobEnvelope = {
          v: 1,
          runId,
          ...headers,
          ...(tenantId !== undefined && { tenantId }),
          requestId: current.requestId,
          ...(current.actorId !== undefined && { actorId: current.actorId }),
          // Every attempt names the request's route, even one run hours later in another process.
          ...entryFields(entryOf(getScope())),
          ...(ownTrace && { newTrace: true as const }),
          enqueuedAtMillis: Date.now(),
        };
        const spanContext = span.spanContext();
        const traceId = ownTrace ? traceIdForRun(runId) : spanContext.traceId;
        await recordEnqueue(runs, engine.kind, name, runId, tenantId, traceId, spanContext.traceId, spanContext.spanId, current.requestId, ownTrace, enqueueOptions.db);
        const messageId = await engine.send(name, { payload, stitch: envelope }, sendOptions);
        span.setAttribute(SpanAttr.messagingMessageId, messageId);
        counts.count(name, 'enqueued');
        return { runId, traceId };
      } finally {
        span.end();
      }
    },

    async worker(name, handler) {
      const settings = settingsFor(name);
      await engine.work(
        name,
        (delivery) => {
          counts.count(name, 'started');
          return runJobAttempt(name, delivery, handler as JobHandler, {
            engine: engine.kind,
            queue: engine.queueName?.(name) ?? name,
            runs,
            settings,
            logger: options.logger,
          }).then(
            () => counts.count(name, 'succeeded'),
            (error: unknown) => {
              // The attempt's own rule (job-attempt.ts): a failure with attempts left is retried.
              counts.count(name, delivery.attempt < delivery.maxAttempts ? 'retrying' : 'failed');
              throw error;
            },
          );
        },
        { concurrency: settings.concurrency },
      );
    },

    origin: (runId) => runs.origin(runId),
    triggeredBy: (id) => runs.triggeredBy(id),
    close: () => engine.close(),
  };
}

async function recordEnqueue(
  runs: RunStore,
  engine: string,
  jobName: string,
  runId: string,
  tenantId: string | undefined,
  traceId: string,
  parentTraceId: string | undefined,
  parentSpanId: string | undefined,
  parentRequestId: string | undefined,
  newTrace: boolean,
  via: Queryable | undefined,
): Promise<void> {
  try {
    await runAsHousekeeping(() => runs.insert({
      runId,
      attempt: 0,
      jobName,
      engine,
      tenantId,
      traceId,
      spanId: parentSpanId,
      parentTraceId,
      parentSpanId,
      parentRequestId,
      newTrace,
      outcome: 'enqueued',
      startedAt: new Date(),
      durationMillis: undefined,
      errorClass: undefined,
      errorMessage: undefined,
    }, via));
  } catch (error) {
    if (via !== undefined) throw error; // inside the caller's transaction: its failure is the caller's to see
    // The job itself matters more than its record: enqueue it anyway.
    diag.warn('stitch: a job enqueue record could not be written', error);
  }
}
