import { context, defaultTextMapGetter, defaultTextMapSetter, ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { Context, SpanContext } from '@opentelemetry/api';
import { RequestIdSchema } from '@stitch/contract';
import type { EntryKind } from '@stitch/contract';
import { stitchPropagator } from '../../core/propagation/index.js';

/**
 * What enqueue stores beside the payload so the worker can continue the request that caused
 * the job: W3C trace context of the enqueuing span, tenant, request id and entry. Versioned
 * because jobs outlive deploys: a worker must read what an older producer wrote (fields added
 * since v1 are optional, and a worker reads them through parseEntry, bounded).
 */
export interface JobEnvelope {
  readonly v: 1;
  readonly runId: string;
  readonly traceparent?: string;
  readonly tracestate?: string;
  readonly tenantId?: string;
  readonly requestId?: string;
  readonly actorId?: string;
  /** What started the work that enqueued the job (core/context/entry.ts): the request's route, for every attempt. */
  readonly entryKind?: EntryKind;
  readonly entryRoute?: string;
  /** The run starts its own trace linked to the enqueue span (a job for another tenant than the request's). */
  readonly newTrace?: true;
  readonly enqueuedAtMillis: number;
}

/** The message every engine carries: the caller's payload untouched, Stitch's envelope beside it. */
export interface JobMessage<Payload = unknown> {
  readonly payload: Payload;
  readonly stitch: JobEnvelope;
}

/** The traceparent/tracestate of the span active in `ctx`, as W3C headers (empty without a span). */
export function injectTraceHeaders(ctx: Context = context.active()): { traceparent?: string; tracestate?: string } {
  const carrier: Record<string, string> = {};
  stitchPropagator.inject(ctx, carrier, defaultTextMapSetter);
  return {
    ...(carrier.traceparent !== undefined && { traceparent: carrier.traceparent }),
    ...(carrier.tracestate !== undefined && { tracestate: carrier.tracestate }),
  };
}

/**
 * The enqueuing span's context from an envelope, or `undefined` when there is none or it is
 * unreadable: a damaged envelope means "no parent", never a failed job (STYLE.md §6).
 */
export function extractParent(envelope: Pick<JobEnvelope, 'traceparent' | 'tracestate'>): SpanContext | undefined {
  if (envelope.traceparent === undefined) return undefined;
  const carrier: Record<string, string> = { traceparent: envelope.traceparent };
  if (envelope.tracestate !== undefined) carrier.tracestate = envelope.tracestate;
  const extracted = stitchPropagator.extract(ROOT_CONTEXT, carrier, defaultTextMapGetter);
  const parent = trace.getSpanContext(extracted);
  return parent !== undefined && trace.isSpanContextValid(parent) ? parent : undefined;
}

/** Whether a value read back from an engine looks like a message Stitch wrote. */
export function isJobMessage(value: unknown): value is JobMessage {
  if (typeof value !== 'object' || value === null) return false;
  const stitch = (value as { stitch?: unknown }).stitch;
  return typeof stitch === 'object' && stitch !== null && typeof (stitch as { runId?: unknown }).runId === 'string';
}

/**
 * The message of a job as an engine stored it. A job Stitch did not enqueue (an engine's own
 * scheduler: BullMQ repeatable jobs, pg-boss schedules; another producer) has no envelope: it
 * runs as a run without parent, its run id the engine's job id (or `<engine>-job-<id>` when
 * that id is not a valid request id, e.g. BullMQ's short numeric ids), so its trace is
 * `traceIdForRun(runId)` and stable across its retries.
 */
export function toJobMessage(data: unknown, engineJobId: string, engine: string): JobMessage {
  if (isJobMessage(data)) return data;
  const runId = RequestIdSchema.safeParse(engineJobId).success ? engineJobId : `${engine}-job-${engineJobId}`;
  return { payload: data, stitch: { v: 1, runId, enqueuedAtMillis: Date.now() } };
}
