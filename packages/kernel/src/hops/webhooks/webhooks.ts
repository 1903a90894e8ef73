import { randomUUID } from 'node:crypto';
import { context, diag, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { Span, SpanContext } from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';
import { SpanAttr } from '@stitch/contract';
import { ensureIds, entryOf, getScope, hasCurrentContext, setScope, tryCurrentContext } from '../../core/context/context-store.js';
import { addEntryAttributes, entryFields, ownEntry } from '../../core/context/entry.js';
import { strictModeApplies, strictViolation } from '../../setup/config/strict-mode.js';
import type { Queryable } from '../db/queryable.js';
import { StitchError } from '../../core/errors/stitch-error.js';
import { entryOfCarrier, parentOf, traceHeadersOf } from '../../core/carrier/carrier.js';
import { runAsHousekeeping } from '../../core/tracing/housekeeping.js';
import { getKernelTracer } from '../../core/tracing/kernel-tracer.js';
import { attemptDelivery } from './deliver-webhook.js';
import type { AttemptResult } from './deliver-webhook.js';
import { allowList } from './destination-guard.js';
import { fullJitterBackoffMillis } from './webhook-backoff.js';
import { WebhookOptionsSchema } from './webhook-options.js';
import type { WebhookOptions, WebhookOptionsInput } from './webhook-options.js';
import { newWebhookSecret, webhookHeaders } from './webhook-signature.js';
import { createWebhookStore } from './webhook-store.js';
import type { AttemptFinalState, ClaimedDelivery, RetryStormRow, WebhookAttemptRecord, WebhookBacklog, WebhookEndpoint } from './webhook-store.js';
import { parseOptions } from '../../core/options/parse-options.js';

export interface CreateWebhooksOptions extends WebhookOptionsInput {
  /** Where endpoints, deliveries and attempts live (a pg pool, PGlite, a `hops/db/` handle). */
  readonly db: Queryable;
  /** Jitter source, replaceable so tests can pin the backoff. */
  readonly random?: () => number;
  /**
   * Gets one warning per delivery that ends badly (dead-lettered, endpoint disabled by a 410),
   * written inside the attempt's context so a Stitch logger adds trace and tenant fields.
   */
  readonly logger?: { warn(fields: Record<string, unknown>, message: string): void };
}

export interface SendWebhookInput {
  readonly endpointId: string;
  /** The event this delivery carries; receivers de-duplicate on `webhook-id` (the delivery id). */
  readonly eventId: string;
  readonly eventType: string;
  readonly payload: unknown;
}

export interface Webhooks {
  readonly options: WebhookOptions;
  /** Creates the tables if missing; idempotent and safe to run from several processes. */
  migrate(): Promise<void>;
  /** Registers an endpoint of a tenant; a secret (`whsec_…`) is made when none is given. */
  addEndpoint(input: { tenantId: string; url: string; id?: string; secret?: string }): Promise<WebhookEndpoint>;
  endpoint(id: string): Promise<WebhookEndpoint | undefined>;
  /**
   * Persists a delivery with the caller's trace context (traceparent, tracestate, request id);
   * the dispatcher sends it. Given `db`, inside the caller's transaction.
   *
   * @example
   *   await webhooks.send({ endpointId, eventId: event.id, eventType: 'invoice.paid', payload: event }, { db: tx });
   */
  send(input: SendWebhookInput, options?: { db?: Queryable }): Promise<{ deliveryId: string }>;
  /** One dispatch pass: claims due deliveries and attempts each once. Resolves to the number attempted. */
  dispatchDue(): Promise<number>;
  /** Runs dispatch passes until stop(): immediately again after a full batch, else after pollIntervalMillis. */
  start(): void;
  stop(): Promise<void>;
  attempts(deliveryId: string): Promise<WebhookAttemptRecord[]>;
  delivery(deliveryId: string): Promise<{ state: string; attempts: number; traceId: string | undefined } | undefined>;
  /** Deliveries waiting (first attempt or retry) and those past a failed attempt: the retry backlog metrics and probes read. */
  backlog(): Promise<WebhookBacklog>;
  /**
   * "Which webhook caused the retry storm?": endpoints with attempts in [since, until), ranked
   * by retries (attempts after a delivery's first), then attempts, with failures, tenants and
   * trace ids. A busy healthy endpoint has many attempts and no retries: not a storm. Without
   * `until`, every attempt recorded so far counts, by the database's clock (webhook-store.ts).
   */
  retryStorm(window: { since: Date; until?: Date; limit?: number }): Promise<RetryStormRow[]>;
}

/**
 * Webhook deliveries that survive restarts and say what happened: each one is a row, each
 * attempt a record (endpoint, event, tenant, trace id, status, latency, error class, next
 * attempt), signed with Standard Webhooks headers and carrying `traceparent`. Destinations on
 * private networks are refused after DNS resolution unless `allowNetworks` lists them.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad option (parseOptions), never a raw ZodError.
 * @example
 *   const webhooks = createWebhooks({ db });
 *   await webhooks.migrate();
 *   webhooks.start();
 */
export function createWebhooks(options: CreateWebhooksOptions): Webhooks {
  const { db } = options;
  const settings = parseOptions(WebhookOptionsSchema, withoutRuntime(options), 'webhooks');
  const store = createWebhookStore(db, settings.schema);
  const allow = allowList(settings.allowNetworks);
  const random = options.random ?? Math.random;
  let loop: { stopped: boolean; wake?: () => void; done: Promise<void> } | undefined;

  async function attemptOne(claim: ClaimedDelivery): Promise<void> {
    const parent = parentOf(claim);
    // Every retry names the request that sent the delivery, however late it runs; a delivery
    // sent outside any request is the endpoint's own work. Read bounded: the row is data.
    const entry = entryOfCarrier(claim) ?? ownEntry('webhook', claim.endpointId);
    const scope = { requestId: claim.requestId ?? claim.id, tenantId: claim.tenantId, entry, baggage: {} };
    if (claim.endpointDisabled) {
      // No request is made; the record of that is the delivery's bookkeeping, in its trace and
      // tenant (not in whatever context started the dispatcher loop).
      const delivery = setScope(parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent), scope);
      await runAsHousekeeping(
        () => store.finishAttempt(claim, { spanTraceId: claim.traceId, spanId: undefined, latencyMillis: 0, errorClass: 'endpoint_disabled', finalState: 'disabled' }),
        delivery,
      );
      return;
    }
    const host = safeHost(claim.url);
    const span = ensureIds(
      getKernelTracer().startSpan(
        'webhook.deliver',
        {
          kind: SpanKind.CLIENT,
          attributes: addEntryAttributes(
            {
              [SpanAttr.component]: 'external',
              [SpanAttr.serverAddress]: host,
              [SpanAttr.httpRequestMethod]: 'POST',
              [SpanAttr.webhookEndpoint]: claim.endpointId,
              [SpanAttr.webhookAttempt]: claim.attempt,
              [SpanAttr.eventId]: claim.eventId,
              [SpanAttr.eventType]: claim.eventType,
              [SpanAttr.tenantId]: claim.tenantId,
            },
            entry,
          ),
        },
        parent === undefined ? ROOT_CONTEXT : trace.setSpanContext(ROOT_CONTEXT, parent),
      ),
    );
    const active = setScope(trace.setSpan(ROOT_CONTEXT, span), scope);
    const timestampSeconds = Math.floor(Date.now() / 1000);
    const headers = {
      ...webhookHeaders({ id: claim.id, timestampSeconds, body: claim.body, secrets: [claim.secret] }),
      ...traceHeadersOf(active),
    };
    const result = await context.with(active, () =>
      attemptDelivery({ url: claim.url, headers, body: claim.body, timeoutMillis: settings.timeoutMillis, destination: { allow } }),
    );
    const finalState = nextState(result, claim.attempt);
    if ((finalState === 'dead' || finalState === 'disabled') && !result.ok) {
      context.with(active, () => warnSafely(options.logger, claim, result, finalState));
    }
    finishSpan(span, result, finalState);
    const retryInMillis =
      finalState === 'retrying'
        ? fullJitterBackoffMillis(claim.attempt, { baseMillis: settings.baseBackoffMillis, maxMillis: settings.maxBackoffMillis }, random)
        : undefined;
    // The attempt's bookkeeping belongs to the delivery's trace, not to a root trace of its own,
    // and is marked as such: it is the kernel's, not the service's, work.
    await runAsHousekeeping(() => recordAttempt(claim, result, finalState, span.spanContext(), retryInMillis), active);
  }

  async function recordAttempt(
    claim: ClaimedDelivery,
    result: AttemptResult,
    finalState: AttemptFinalState,
    { traceId, spanId }: SpanContext,
    retryInMillis: number | undefined,
  ): Promise<void> {
    if (finalState === 'disabled') await store.disableEndpoint(claim.endpointId, `HTTP 410 on delivery ${claim.id}`);
    await store.finishAttempt(claim, {
      spanTraceId: traceId,
      spanId,
      ...(result.statusCode !== undefined && { statusCode: result.statusCode }),
      latencyMillis: result.latencyMillis,
      ...(!result.ok && { errorClass: result.errorClass, errorDetail: result.detail }),
      finalState,
      ...(retryInMillis !== undefined && { retryInMillis }),
    });
  }

  function nextState(result: AttemptResult, attempt: number): AttemptFinalState {
    if (result.ok) return 'delivered';
    if (result.errorClass === 'gone') return 'disabled';
    if (!result.retryable || attempt >= settings.maxAttempts) return 'dead';
    return 'retrying';
  }

  async function dispatchDue(): Promise<number> {
    // The claim makes no span: an idle dispatcher polls several times a second, and each claim
    // was a tenant-less root trace (issue 11). Each attempt is traced in its event's trace.
    const claims = await context.with(suppressTracing(ROOT_CONTEXT), () => store.claimDue(settings.batchSize, settings.leaseMillis));
    await Promise.all(
      claims.map((claim) =>
        attemptOne(claim).catch((error: unknown) => {
          // The lease brings the delivery back; the dispatcher loop must live on.
          diag.warn(`stitch: webhook delivery ${claim.id} attempt ${claim.attempt} could not be recorded`, error);
        }),
      ),
    );
    return claims.length;
  }

  return {
    options: settings,
    migrate: () => store.migrate(),

    async addEndpoint(input) {
      let url: URL;
      try {
        url = new URL(input.url);
      } catch {
        throw new StitchError('STITCH_ERR_WEBHOOK_ENDPOINT_INVALID', { detail: 'not a URL' });
      }
      if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new StitchError('STITCH_ERR_WEBHOOK_ENDPOINT_INVALID', { detail: `scheme ${url.protocol}` });
      const endpoint = { id: input.id ?? `ep_${randomUUID()}`, tenantId: input.tenantId, url: url.toString(), secret: input.secret ?? newWebhookSecret() };
      await store.insertEndpoint(endpoint);
      return { ...endpoint, disabledAt: undefined, disabledReason: undefined };
    },

    endpoint: (id) => store.endpoint(id),

    async send(input, sendOptions = {}) {
      // Before the endpoint lookup, whose query would otherwise report the drift as a query's.
      if (!hasCurrentContext() && strictModeApplies()) throw strictViolation('STITCH_ERR_STRICT_WEBHOOK_OUTSIDE_CONTEXT');
      // Through the caller's transaction when given: a second pool connection per send would
      // deadlock a pool whose every connection is a transaction waiting on this send.
      const endpoint = await store.endpoint(input.endpointId, sendOptions.db);
      if (endpoint === undefined) throw new StitchError('STITCH_ERR_WEBHOOK_ENDPOINT_NOT_FOUND', { id: input.endpointId });
      const current = tryCurrentContext();
      // A delivery belongs to its endpoint's tenant; sending to another tenant's endpoint from
      // a request is a bug that would leak one tenant's events to another.
      if (current?.tenantId !== undefined && current.tenantId !== endpoint.tenantId) {
        throw new StitchError('STITCH_ERR_WEBHOOK_TENANT_MISMATCH', { id: endpoint.id });
      }
      const deliveryId = `msg_${randomUUID().replaceAll('-', '')}`;
      const headers = current === undefined ? {} : traceHeadersOf();
      await store.insertDelivery(
        {
          id: deliveryId,
          endpointId: endpoint.id,
          eventId: input.eventId,
          eventType: input.eventType,
          tenantId: endpoint.tenantId,
          ...(current !== undefined && { traceId: current.traceId, requestId: current.requestId }),
          ...entryFields(entryOf(getScope())),
          ...headers,
          body: JSON.stringify(input.payload),
        },
        sendOptions.db,
      );
      return { deliveryId };
    },

    dispatchDue,

    start() {
      if (loop !== undefined) return;
      const state: { stopped: boolean; wake?: () => void; done: Promise<void> } = { stopped: false, done: Promise.resolve() };
      state.done = (async () => {
        while (!state.stopped) {
          let claimed = 0;
          try {
            claimed = await dispatchDue();
          } catch (error) {
            diag.warn('stitch: webhook dispatch pass failed', error);
          }
          if (claimed < settings.batchSize && !state.stopped) {
            await new Promise<void>((resolve) => {
              const timer = setTimeout(resolve, settings.pollIntervalMillis);
              state.wake = () => {
                clearTimeout(timer);
                resolve();
              };
            });
          }
        }
      })();
      loop = state;
    },

    async stop() {
      const state = loop;
      if (state === undefined) return;
      loop = undefined;
      state.stopped = true;
      state.wake?.();
      await state.done;
    },

    attempts: (deliveryId) => store.attempts(deliveryId),
    delivery: (deliveryId) => store.deliveryState(deliveryId),
    // Asked by metrics scrapes every few seconds: bookkeeping, not work.
    backlog: () => runAsHousekeeping(() => store.backlog()),
    retryStorm: ({ since, until, limit = 20 }) => store.retryStorm(since, until, limit),
  };
}

function finishSpan(span: Span, result: AttemptResult, finalState: AttemptFinalState): void {
  if (span.isRecording()) {
    if (result.statusCode !== undefined) span.setAttribute(SpanAttr.httpResponseStatusCode, result.statusCode);
    span.setAttribute(SpanAttr.webhookFinalState, finalState);
    if (!result.ok) {
      span.setAttribute(SpanAttr.errorType, result.errorClass);
      span.setStatus({ code: SpanStatusCode.ERROR, message: result.detail });
    }
  }
  span.end();
}

function warnSafely(
  logger: CreateWebhooksOptions['logger'],
  claim: ClaimedDelivery,
  result: Extract<AttemptResult, { ok: false }>,
  finalState: AttemptFinalState,
): void {
  try {
    logger?.warn(
      {
        webhook_delivery_id: claim.id,
        webhook_endpoint_id: claim.endpointId,
        event_id: claim.eventId,
        attempt: claim.attempt,
        final_state: finalState,
        error_class: result.errorClass,
        status_code: result.statusCode,
        detail: result.detail,
      },
      // Constant messages, one per outcome: the ids and the reason are the fields.
      finalState === 'disabled' ? 'webhook endpoint answered 410 and is disabled' : 'webhook delivery is dead after its last attempt',
    );
  } catch {
    // Telemetry never breaks the host: a failing logger loses the line, the record has it.
  }
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return 'invalid';
  }
}

function withoutRuntime(options: CreateWebhooksOptions): WebhookOptionsInput {
  const { db: _db, random: _random, logger: _logger, ...rest } = options;
  return rest;
}
