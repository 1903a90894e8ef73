import { context, SpanKind, trace } from '@opentelemetry/api';
import type { Attributes, Context, Span } from '@opentelemetry/api';
import { SpanAttr } from '@stitch/contract';
import { ensureIds, getScope } from '../../core/context/context-store.js';
import { addEntryAttributes, ownEntry } from '../../core/context/entry.js';
import { getKernelTracer } from '../../core/tracing/kernel-tracer.js';
import type { CheckpointStore } from './checkpoint-store.js';
import type { EventAction } from './event-actions.js';
import type { EventBus, EventDelivery, EventSubscription } from './event-bus.js';
import type { EventEnvelope } from './event-envelope.js';
import { contextOf } from '../../core/carrier/carrier.js';
import { runAsHousekeeping } from '../../core/tracing/housekeeping.js';
import { recordError } from '../../core/tracing/record-error.js';

export interface EventHandlerOptions {
  readonly bus: EventBus;
  /** The consumer's durable name: its queue / JetStream consumer and its checkpoint key. */
  readonly name: string;
  readonly checkpoints: CheckpointStore;
  /** Only these event types are handled (others are acknowledged and skipped). Default: all. */
  readonly types?: readonly string[];
  /** Whether this event calls for the actions. Default: always. */
  readonly condition?: (envelope: EventEnvelope) => boolean | Promise<boolean>;
  /** Run one after the other, in order; the first failure stops the run and the event is redelivered. */
  readonly actions: readonly EventAction[];
}

/** What one delivery came to. */
export type EventRunOutcome = 'handled' | 'skipped-condition' | 'skipped-duplicate' | 'skipped-type';

/**
 * Subscribes a handler that continues the producer's trace: each delivery is the span tree
 * `process_event` → `checkpoint.load`, `condition.evaluate`, `actions.execute` (one
 * `action.<kind>` child per action), `checkpoint.save`, in the event's tenant. An event already
 * in the checkpoint store (a redelivery, or a relay duplicate) is acknowledged without running
 * the actions again; a failing action leaves it un-checkpointed so the bus delivers it again.
 * Actions may therefore run more than once for one event (at-least-once), never zero times.
 *
 * @example
 *   await consumeEvents({
 *     bus, name: 'order-notifier', checkpoints, types: ['order.paid'],
 *     condition: (e) => (e.payload as { total: number }).total > 0,
 *     actions: [emailAction({ template: 'receipt', recipients: (e) => [(e.payload as { email: string }).email], send })],
 *   });
 */
export function consumeEvents(options: EventHandlerOptions): Promise<EventSubscription> {
  return options.bus.subscribe(options.name, async (envelope, delivery) => {
    await processEvent(options, envelope, delivery);
  });
}

/** One run of a handler over one envelope (what `consumeEvents` does per delivery). */
export async function processEvent(options: EventHandlerOptions, envelope: EventEnvelope, delivery?: EventDelivery): Promise<EventRunOutcome> {
  // An event published outside any request is the consumer's own work: its entry is the consumer.
  const parent = contextOf(envelope, ownEntry('consumer', options.name));
  const attributes: Attributes = {
    [SpanAttr.eventId]: envelope.id,
    [SpanAttr.eventType]: envelope.type,
    [SpanAttr.messagingMessageId]: envelope.id,
    [SpanAttr.consumerGroup]: options.name,
    [SpanAttr.messagingOperationType]: 'process',
  };
  if (envelope.tenantId !== undefined) attributes[SpanAttr.tenantId] = envelope.tenantId;
  if (envelope.requestId !== undefined) attributes[SpanAttr.parentRequestId] = envelope.requestId;
  // Read by the metrics (stitch_event_redeliveries_total): the transport's word, not a guess.
  if (delivery?.redelivered === true) attributes[SpanAttr.eventRedelivered] = true;
  // Its parent is the remote producer span, outside the scope: the root names its entry itself.
  addEntryAttributes(attributes, getScope(parent)?.entry);
  const root = ensureIds(getKernelTracer().startSpan('process_event', { kind: SpanKind.CONSUMER, attributes }, parent));

  return inSpan(root, parent, async (ctx) => {
    if (options.types !== undefined && !options.types.includes(envelope.type)) {
      root.setAttribute(SpanAttr.eventOutcome, 'skipped-type');
      return 'skipped-type';
    }
    const state = await step('checkpoint.load', ctx, async (span) => {
      // The checkpoint's statements are the kernel's bookkeeping (one pair per event, so a busy
      // consumer's would top `queries --top`); the checkpoint spans themselves stay the tree's.
      const loaded = await runAsHousekeeping(() => options.checkpoints.load(options.name, envelope.id));
      span.setAttribute(SpanAttr.checkpointRecovered, loaded.recovered);
      span.setAttribute(SpanAttr.checkpointOffset, loaded.processedCount);
      span.setAttribute(SpanAttr.checkpointAlreadyProcessed, loaded.alreadyProcessed);
      return loaded;
    });
    if (state.alreadyProcessed) {
      root.setAttribute(SpanAttr.eventOutcome, 'skipped-duplicate');
      return 'skipped-duplicate';
    }
    const matched = await step('condition.evaluate', ctx, async (span) => {
      const result = options.condition === undefined ? true : await options.condition(envelope);
      span.setAttribute(SpanAttr.conditionMatched, result);
      return result;
    });
    if (matched) {
      await step('actions.execute', ctx, async (span, actionsCtx) => {
        span.setAttribute(SpanAttr.actionCount, options.actions.length);
        for (const action of options.actions) {
          await step(`action.${action.kind}`, actionsCtx, (actionSpan) => action.run(envelope, actionSpan), {
            [SpanAttr.actionKind]: action.kind,
            ...action.attributes?.(envelope),
          });
        }
      });
    }
    await step('checkpoint.save', ctx, async (span) => {
      span.setAttribute(SpanAttr.checkpointOffset, await runAsHousekeeping(() => options.checkpoints.save(options.name, envelope)));
    });
    const outcome: EventRunOutcome = matched ? 'handled' : 'skipped-condition';
    root.setAttribute(SpanAttr.eventOutcome, outcome);
    return outcome;
  });
}

async function step<T>(name: string, parent: Context, fn: (span: Span, ctx: Context) => Promise<T>, attributes?: Attributes): Promise<T> {
  const span = getKernelTracer().startSpan(name, attributes === undefined ? {} : { attributes }, parent);
  return inSpan(span, parent, (ctx) => fn(span, ctx));
}

async function inSpan<T>(span: Span, parent: Context, fn: (ctx: Context) => Promise<T>): Promise<T> {
  const ctx = trace.setSpan(parent, span);
  try {
    return await context.with(ctx, () => fn(ctx));
  } catch (error) {
    recordError(span, error);
    throw error;
  } finally {
    span.end();
  }
}
