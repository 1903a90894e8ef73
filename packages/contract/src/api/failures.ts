import { z } from 'zod';
import { ENTRY_KINDS } from '../attributes.js';
import { IsoTimeSchema, WindowSchema } from './common.js';

/** How many of a row's occurrences one tenant had. */
export const TenantCountSchema = z.object({
  /** Null for spans that carried no tenant. */
  tenantId: z.string().nullable(),
  count: z.number().int(),
});

/**
 * One failure, however many tenants and traces it hit: the entry it happened under, the step that
 * failed there and the error it failed with.
 */
export const ErrorGroupSchema = z.object({
  /** What started the failing work (`stitch.entry.kind`): http, job, consumer, webhook or batch; null if unknown. */
  entryKind: z.enum(ENTRY_KINDS).nullable(),
  /** The entry's name: the route template for http, else the job, consumer, endpoint or batch name. */
  entry: z.string().nullable(),
  /**
   * The failing step: the name of the deepest span with an error status (an error span none of
   * whose children failed), not the route span the error bubbled up to.
   */
  step: z.string(),
  /** The step's component (route, query, external, job, webhook, internal…). */
  component: z.string().nullable(),
  service: z.string().nullable(),
  /**
   * The error's type or code: the exception event's `exception.type` (OpenTelemetry records an
   * error's `code` there when it has one, e.g. a StitchError's `STITCH_ERR_…` or a Postgres
   * SQLSTATE, else its name), else the span's `error.type` (webhook and outgoing HTTP failures).
   */
  errorType: z.string().nullable(),
  /** The latest occurrence's message (span status message, else `exception.message`). */
  message: z.string().nullable(),
  /** Failed steps in the window (a job failing three attempts in one trace counts three). */
  count: z.number().int(),
  traceCount: z.number().int(),
  /** Tenants that hit it, most occurrences first (at most 20; `tenantCount` has them all). */
  tenants: z.array(TenantCountSchema),
  tenantCount: z.number().int(),
  firstSeen: IsoTimeSchema,
  lastSeen: IsoTimeSchema,
  /** The latest traces it happened in, newest first. */
  exampleTraceIds: z.array(z.string()),
});

/**
 * `GET /api/errors` — `stitch errors [--grep TEXT]`: "Which approval failed and where?" and
 * "Which tenant experienced this failure?". One row per failure (entry, step, error type and
 * message shape), tenants inside the row, most frequent first.
 */
export const ErrorsResponseSchema = z.object({ window: WindowSchema, groups: z.array(ErrorGroupSchema) });

/** One thing that blew its budget, summed over the tenants it blew it for. */
export const ViolationGroupSchema = z.object({
  /** The budget kind: route, query, job or external (a span's `stitch.component`, else inferred). */
  component: z.string().nullable(),
  /** What blew it: the route template, the query name (else span name), the job name, or the external call's span name. */
  name: z.string(),
  /** The entry route the violations happened under most often (for a route, itself); null if none. */
  route: z.string().nullable(),
  service: z.string().nullable(),
  /** Spans over their budget in the window, all tenants together (the ranking key). */
  count: z.number().int(),
  traceCount: z.number().int(),
  /** p95 duration of the violating spans. */
  p95Ms: z.number(),
  /** The budget they carried (`stitch.budget_ms`); null when not recorded. */
  budgetMs: z.number().nullable(),
  /** Tenants it happened to, most violations first (at most 20; `tenantCount` has them all). */
  tenants: z.array(TenantCountSchema),
  tenantCount: z.number().int(),
  firstSeen: IsoTimeSchema,
  lastSeen: IsoTimeSchema,
  /** The slowest violating traces, slowest first. */
  exampleTraceIds: z.array(z.string()),
});

/**
 * `GET /api/violations` — `stitch violations`: "Which route blew its budget?". One row per
 * route, query, job or external call, summed over tenants (a burst over 17 tenants is one row,
 * not 17), most violations first.
 */
export const ViolationsResponseSchema = z.object({ window: WindowSchema, groups: z.array(ViolationGroupSchema) });

export type TenantCount = z.infer<typeof TenantCountSchema>;
export type ErrorGroup = z.infer<typeof ErrorGroupSchema>;
export type ErrorsResponse = z.infer<typeof ErrorsResponseSchema>;
export type ViolationGroup = z.infer<typeof ViolationGroupSchema>;
export type ViolationsResponse = z.infer<typeof ViolationsResponseSchema>;
