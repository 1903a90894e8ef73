import { context, diag, ROOT_CONTEXT, SpanKind, trace } from '@opentelemetry/api';
import type { Attributes, Span } from '@opentelemetry/api';
import { LegacyAttr, SpanAttr } from '@stitch/contract';
import { ensureIds, setScope } from '../../core/context/context-store.js';
import type { StitchScope } from '../../core/context/context-store.js';
import { addEntryAttributes, ownEntry } from '../../core/context/entry.js';
import { withNextTraceId } from '../../core/context/ids.js';
import { checkTenantId } from '../../core/context/tenant-id.js';
import { runAsHousekeeping } from '../../core/tracing/housekeeping.js';
import { getKernelTracer } from '../../core/tracing/kernel-tracer.js';
import { writesDeprecated } from '../../core/tracing/semconv-opt-in.js';
import type { EngineDelivery } from './job-engine.js';
import { entryOfCarrier, parentOf } from '../../core/carrier/carrier.js';
import type { JobSettings } from './job-options.js';
import type { RunStore } from './job-run-record.js';
import { traceIdForRun } from './run-id.js';
import { recordError } from '../../core/tracing/record-error.js';

/** What a handler learns about the attempt it runs; ids come from `currentContext()` as usual. */
export interface JobInfo {
  readonly name: string;
  readonly runId: string;
  /** 1 for the first attempt. */
  readonly attempt: number;
  readonly maxAttempts: number;
}

export type JobHandler<Payload = unknown> = (payload: Payload, info: JobInfo) => Promise<unknown> | unknown;

export interface AttemptDeps {
  readonly engine: string;
  /** The queue the engine delivers this job from (`messaging.destination.name`); the job name when not given. */
  readonly queue?: string | undefined;
  readonly runs: RunStore;
  readonly settings: JobSettings;
  readonly logger?: { warn(fields: Record<string, unknown>, message: string): void } | undefined;
}

/**
 * Runs one attempt of one job: rehydrates the enqueuing context (or starts the run's own trace),
 * wraps the handler in a CONSUMER span, writes the attempt's run record, and rethrows a handler failure so the engine retries. The same code for every engine.
 *
 * Trace rules: a job enqueued in a request continues the request's trace, one span per attempt,
 * each a child of the enqueue span. A job with `newTrace`, or with no parent at all, runs in the
 * trace `traceIdForRun(runId)`: every attempt a root span of that one trace, linked to the
 * enqueue span when there was one.
 */
export async function runJobAttempt(name: string, delivery: EngineDelivery, handler: JobHandler, deps: AttemptDeps): Promise<void> {
  const { message, attempt, maxAttempts, engineJobId } = delivery;
  const envelope = message.stitch;
  // The envelope came from a queue any producer can write to: a carried tenant outside the
  // rule fails the attempt with STITCH_ERR_TENANT_INVALID before anything runs in its name.
  if (envelope.tenantId !== undefined) checkTenantId(envelope.tenantId);
  const runId = envelope.runId;
  const parent = parentOf(envelope);
  const ownTrace = deps.settings.newTrace || envelope.newTrace === true || parent === undefined;
  // The request's entry for every attempt, however late and wherever it runs; a job enqueued
  // outside any request (cron) is its own entry. Read bounded: the envelope came from a queue.
  const entry = entryOfCarrier(envelope) ?? ownEntry('job', name);

  const attributes: Attributes = {
    [SpanAttr.component]: 'job',
    [SpanAttr.jobName]: name,
    [SpanAttr.jobId]: engineJobId,
    [SpanAttr.runId]: runId,
    [SpanAttr.jobAttempt]: attempt,
    [SpanAttr.requestId]: runId,
    [SpanAttr.messagingSystem]: deps.engine,
    [SpanAttr.messagingDestination]: deps.queue ?? name,
    [SpanAttr.messagingMessageId]: engineJobId,
    [SpanAttr.messagingOperationType]: 'process',
  };
  if (writesDeprecated('messaging')) attributes[LegacyAttr.messagingSystem] = deps.engine;
  if (envelope.tenantId !== undefined) attributes[SpanAttr.tenantId] = envelope.tenantId;
  // How long the job waited for its first run (delay included): the queue-wait metric reads it.
  if (attempt === 1 && typeof envelope.enqueuedAtMillis === 'number') attributes[SpanAttr.jobQueueWaitMillis] = Math.max(0, Date.now() - envelope.enqueuedAtMillis);
  if (parent !== undefined) attributes[SpanAttr.parentTraceId] = parent.traceId;
  if (envelope.requestId !== undefined) attributes[SpanAttr.parentRequestId] = envelope.requestId;
  addEntryAttributes(attributes, entry);

  const tracer = getKernelTracer();
  const spanName = `job ${name}`;
  let span: Span;
  if (ownTrace) {
    const links = parent === undefined ? [] : [{ context: parent }];
    span = withNextTraceId(traceIdForRun(runId), () =>
      ensureIds(tracer.startSpan(spanName, { root: true, kind: SpanKind.CONSUMER, links, attributes }, ROOT_CONTEXT)),
    );
  } else {
    span = ensureIds(tracer.startSpan(spanName, { kind: SpanKind.CONSUMER, attributes }, trace.setSpanContext(ROOT_CONTEXT, parent)));
  }

  const scope: StitchScope = {
    requestId: runId,
    runId,
    tenantId: envelope.tenantId,
    actorId: envelope.actorId,
    entry,
    baggage: {},
  };
  const spanContext = span.spanContext();
  const active = setScope(trace.setSpan(ROOT_CONTEXT, span), scope);
  // The run records are the attempt's bookkeeping: in its trace (not a root trace of their own
  // per attempt, as when they ran in the engine's context), marked as housekeeping.
  const record = (write: () => Promise<void>): Promise<void> => recordSafely(() => runAsHousekeeping(write, active));
  await record(() =>
    deps.runs.insert({
      runId,
      attempt,
      jobName: name,
      engine: deps.engine,
      tenantId: envelope.tenantId,
      traceId: spanContext.traceId,
      spanId: spanContext.spanId,
      parentTraceId: parent?.traceId,
      parentSpanId: parent?.spanId,
      parentRequestId: envelope.requestId,
      newTrace: ownTrace,
      outcome: 'running',
      startedAt: new Date(),
      durationMillis: undefined,
      errorClass: undefined,
      errorMessage: undefined,
    }),
  );

  const started = performance.now();
  let failure: unknown;
  let failed = false;
  try {
    await context.with(active, () => handler(message.payload, { name, runId, attempt, maxAttempts }));
  } catch (error) {
    failed = true;
    failure = error;
  }
  const durationMillis = performance.now() - started;
  const outcome = !failed ? 'succeeded' : attempt < maxAttempts ? 'retrying' : 'failed';
  if (outcome === 'failed' && deps.logger !== undefined) {
    const logger = deps.logger;
    context.with(active, () => {
      try {
        logger.warn({ job_name: name, run_id: runId, attempt, err: failure }, 'job failed after its last attempt');
      } catch {
        // Telemetry never breaks the host: the run record still says it failed.
      }
    });
  }

  if (failed) recordError(span, failure);
  if (span.isRecording()) span.setAttribute(SpanAttr.jobOutcome, outcome);
  // The job budget (30 s default, per-name overrides in `tracing.budgets`) is applied by the
  // budgets processor as this span ends: `stitch.component = job` and `stitch.job.name` are
  // set at start, which is all it keys on.
  span.end();

  await record(() =>
    deps.runs.finish({
      runId,
      attempt,
      outcome,
      durationMillis,
      errorClass: failed ? errorClass(failure) : undefined,
      errorMessage: failed ? errorMessage(failure) : undefined,
    }),
  );
  if (failed) throw failure;
}

/** The class of a failure as recorded: the error's `code` when it has one, else its name. */
export function errorClass(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? `${error.name}:${code}` : error.name;
  }
  return typeof error;
}

function errorMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.length > 1_000 ? `${text.slice(0, 1_000)}…` : text;
}

let recordFailures = 0;

// A run record that cannot be written must not fail the job it describes: the job's own work
// matters more than its paperwork. Reported once per 100 losses, with the count.
async function recordSafely(write: () => Promise<void>): Promise<void> {
  try {
    await write();
  } catch (error) {
    recordFailures += 1;
    if (recordFailures % 100 === 1) diag.warn(`stitch: ${recordFailures} job run record(s) could not be written`, error);
  }
}
