import { z } from 'zod';
import { ENTRY_KINDS } from './attributes.js';

/** W3C trace-id: 32 lowercase hex digits, not all zero (Trace Context §3.2.2.3). */
export const TraceIdSchema = z
  .string()
  .regex(/^[0-9a-f]{32}$/, 'a trace id is 32 lowercase hex digits')
  .refine((id) => id !== '00000000000000000000000000000000', 'an all-zero trace id is invalid');

/** W3C parent-id / span id: 16 lowercase hex digits, not all zero. */
export const SpanIdSchema = z
  .string()
  .regex(/^[0-9a-f]{16}$/, 'a span id is 16 lowercase hex digits')
  .refine((id) => id !== '0000000000000000', 'an all-zero span id is invalid');

/**
 * A request or run id: printable ASCII without spaces, quotes or separators that would need
 * escaping in a header, a log line or a SQL comment. Length per seed KER260 §3.
 */
export const RequestIdSchema = z
  .string()
  .min(8)
  .max(120)
  .regex(/^[A-Za-z0-9._:-]+$/, 'a request id uses only letters, digits and . _ : -');

/** The longest tenant id accepted: room for a UUID, a slug, a domain or a provider's prefixed id (`org_2Nf…`). */
export const TENANT_ID_MAX_LENGTH = 128;

/**
 * A tenant id: an opaque string the service chooses (a UUID, a slug like `acme`, a provider's
 * `org_…` id, a number written as a string), 1–128 characters, letters, digits and `. _ : -`,
 * starting with a letter or digit, compared as written. The tenant goes as written into SQL
 * comments, baggage, span attributes, log lines and the collector's `--tenant` filter; this
 * charset needs no escaping in any of them and cannot be read as a CLI flag.
 */
/** The tenant id's characters: a letter or digit, then letters, digits and `. _ : -`. */
export const TENANT_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;

export const TenantIdSchema = z
  .string()
  .min(1)
  .max(TENANT_ID_MAX_LENGTH)
  .regex(TENANT_ID_PATTERN, 'a tenant id uses only letters, digits and . _ : -, starting with a letter or digit');

/**
 * The one source of truth for what every hop knows about the work it is doing.
 *
 * `traceId`/`spanId`/`sampled` mirror OpenTelemetry's active span; the rest is Stitch's own
 * scope. `tenantId` is optional only because the edge knows the request before auth resolves
 * its tenant: from then on every span and log line of the request carries it.
 */
export const TraceContextSchema = z
  .object({
    traceId: TraceIdSchema,
    spanId: SpanIdSchema,
    sampled: z.boolean(),
    requestId: RequestIdSchema,
    /** Set instead of, or beside, requestId for job runs. */
    runId: RequestIdSchema.optional(),
    tenantId: TenantIdSchema.optional(),
    actorId: z.uuid().optional(),
    routeId: z.string().min(1).max(120).optional(),
    masqueradeSessionId: z.uuid().optional(),
    onBehalfOfUserId: z.uuid().optional(),
    /**
     * What started the work (`stitch.entry.*`): an HTTP request (`entryRoute` its route
     * template, once matched), or a job, consumer, webhook endpoint or batch that no request
     * caused. Set where work enters, carried by every hop; never changed by derivation.
     */
    entryKind: z.enum(ENTRY_KINDS).optional(),
    entryRoute: z.string().min(1).max(120).optional(),
    /** W3C Baggage entries the service chose to carry (tenant, actor, …); never secrets. */
    baggage: z.record(z.string(), z.string()).readonly(),
  })
  .readonly();

export type TraceContext = z.infer<typeof TraceContextSchema>;

/** The fields of a context that work may change by deriving a new one (never trace ids). */
export type ContextChanges = Partial<
  Pick<
    TraceContext,
    'tenantId' | 'actorId' | 'routeId' | 'masqueradeSessionId' | 'onBehalfOfUserId' | 'runId' | 'baggage'
  >
>;
