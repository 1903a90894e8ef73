import type { Attributes, Span } from '@opentelemetry/api';
import { SpanAttr } from '@stitch/contract';
import type { EventEnvelope } from './event-envelope.js';

/**
 * One thing an event handler does (a webhook, an email, a Slack message…). Each runs in its own
 * child span of `actions.execute`, named `action.<kind>`, with the attributes that answer "what
 * did this action do": the helpers below set the usual ones.
 */
export interface EventAction {
  readonly kind: string;
  /** Attributes known before running (destination host, template, channel). */
  readonly attributes?: (envelope: EventEnvelope) => Attributes;
  /** Does the work; may add outcome attributes to `span` (status code, thread id). */
  run(envelope: EventEnvelope, span: Span): Promise<void>;
}

/**
 * Calls a webhook. `send` does the delivery (the webhooks module, or fetch) and returns the HTTP
 * status; the span gets `server.address` (the URL's host, never its path or query, which may
 * hold tokens) and `http.response.status_code`. A status ≥ 400 fails the action.
 *
 * @example
 *   webhookAction({ url: 'https://hooks.example.com/orders', send: (url, e) => deliver(url, e) })
 */
export function webhookAction(options: {
  readonly url: string | ((envelope: EventEnvelope) => string);
  readonly send: (url: string, envelope: EventEnvelope) => Promise<{ readonly status: number }>;
}): EventAction {
  const urlOf = (envelope: EventEnvelope): string => (typeof options.url === 'string' ? options.url : options.url(envelope));
  return {
    kind: 'webhook',
    attributes: (envelope) => ({ [SpanAttr.serverAddress]: hostOf(urlOf(envelope)) }),
    async run(envelope, span) {
      const { status } = await options.send(urlOf(envelope), envelope);
      span.setAttribute(SpanAttr.httpResponseStatusCode, status);
      if (status >= 400) throw new Error(`webhook answered ${status}`);
    },
  };
}

/** Sends an email; the span gets `email.template` and `email.recipient_count` (never addresses). */
export function emailAction(options: {
  readonly template: string;
  readonly recipients: (envelope: EventEnvelope) => readonly string[];
  readonly send: (message: { template: string; recipients: readonly string[]; envelope: EventEnvelope }) => Promise<void>;
}): EventAction {
  return {
    kind: 'email',
    attributes: (envelope) => ({ [SpanAttr.emailTemplate]: options.template, [SpanAttr.emailRecipientCount]: options.recipients(envelope).length }),
    async run(envelope) {
      await options.send({ template: options.template, recipients: options.recipients(envelope), envelope });
    },
  };
}

/** Posts to Slack; the span gets `slack.channel` and, when `send` returns one, `slack.thread_id`. */
export function slackAction(options: {
  readonly channel: string;
  readonly send: (channel: string, envelope: EventEnvelope) => Promise<{ readonly threadId?: string } | void>;
}): EventAction {
  return {
    kind: 'slack',
    attributes: () => ({ [SpanAttr.slackChannel]: options.channel }),
    async run(envelope, span) {
      const result = await options.send(options.channel, envelope);
      if (result?.threadId !== undefined) span.setAttribute(SpanAttr.slackThreadId, result.threadId);
    },
  };
}

function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'invalid-url';
  }
}
