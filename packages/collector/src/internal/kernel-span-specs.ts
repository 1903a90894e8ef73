import { SpanAttr } from '@stitch/contract';
import { newTraceId } from './otlp-json-builder.js';
import type { SpanSpec } from './otlp-json-builder.js';

export interface WebhookAttemptSpec {
  readonly endpoint: string;
  readonly tenantId: string;
  readonly attempt: number;
  /** The endpoint's answer; 400 and above is a failed attempt. */
  readonly httpStatus: number;
  readonly atMillis: number;
}

/**
 * One delivery attempt as packages/kernel/src/hops/webhooks/webhooks.ts records it: a client
 * `webhook.deliver` span of its own trace, with the endpoint, attempt, event type, tenant, HTTP
 * status and final state (`retrying` after a failure, `delivered` after a success), in error
 * when the endpoint failed. For the tests and seeds of the retry questions.
 *
 * @example
 *   const spans = [1, 2, 3].map((attempt) => webhookAttemptSpan({ endpoint: 'ep-storm', tenantId, attempt, httpStatus: 503, atMillis: t0 + attempt * 100 }));
 */
export function webhookAttemptSpan(spec: WebhookAttemptSpec): SpanSpec {
  const failed = spec.httpStatus >= 400;
  return {
    traceId: newTraceId(),
    name: 'webhook.deliver',
    kind: 3,
    startMillis: spec.atMillis,
    durationMillis: 20,
    ...(failed && { statusCode: 2, statusMessage: `HTTP ${spec.httpStatus}` }),
    attributes: {
      [SpanAttr.component]: 'external',
      [SpanAttr.webhookEndpoint]: spec.endpoint,
      [SpanAttr.webhookAttempt]: spec.attempt,
      [SpanAttr.eventType]: 'order.paid',
      [SpanAttr.tenantId]: spec.tenantId,
      'http.response.status_code': spec.httpStatus,
      [SpanAttr.webhookFinalState]: failed ? 'retrying' : 'delivered',
    },
  };
}
