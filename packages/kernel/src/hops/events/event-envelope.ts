import { ENTRY_KINDS, TenantIdSchema } from '@stitch/contract';
import { z } from 'zod';
import { StitchError } from '../../core/errors/stitch-error.js';
import { isStrictMode, strictModeApplies, strictViolation } from '../../setup/config/strict-mode.js';
import { issueDetail } from '../../core/options/parse-options.js';

/**
 * What travels on every bus: the event and the trace it belongs to. The same fields are copied
 * into the transport's headers (NATS headers, AMQP properties) so tools that only read headers
 * see `traceparent` too; the body is what consumers decode.
 */
export const EventEnvelopeSchema = z.object({
  /** Unique per event (a UUID); consumers de-duplicate on it, since delivery is at least once. */
  id: z.uuid(),
  type: z.string().min(1).max(200),
  /** The tenant as withContext() takes it (TenantIdSchema): a bus message cannot carry another. */
  tenantId: TenantIdSchema.optional(),
  requestId: z.string().min(1).max(120).optional(),
  /**
   * What started the work that produced the event (core/context/entry.ts), so every consumer's spans
   * name the request's route however late they run. Bounded like the tenant; an unknown kind or
   * an unreadable route is dropped, not a rejected envelope: it is telemetry, the event is not.
   */
  entryKind: z.enum(ENTRY_KINDS).optional().catch(undefined),
  entryRoute: z.string().min(1).max(120).optional().catch(undefined),
  aggregateType: z.string().min(1).max(200).optional(),
  aggregateId: z.string().min(1).max(200).optional(),
  /** ISO-8601 time the event was added to the outbox. */
  occurredAt: z.string(),
  /** W3C traceparent of the span that produced (or relayed) the event. */
  traceparent: z.string().max(100).optional(),
  tracestate: z.string().max(512).optional(),
  payload: z.unknown(),
});

export type EventEnvelope = z.infer<typeof EventEnvelopeSchema>;

/**
 * The envelope as bytes on the wire (UTF-8 JSON). Every bus publishes through here, so this is
 * where strict mode refuses an envelope without trace headers: its consumers would start
 * traces that nothing links back to the producer.
 */
export function encodeEnvelope(envelope: EventEnvelope): Uint8Array {
  if (envelope.traceparent === undefined && isStrictMode() && strictModeApplies()) throw strictViolation('STITCH_ERR_STRICT_EVENT_UNTRACED', { name: envelope.type });
  return Buffer.from(JSON.stringify(envelope), 'utf8');
}

/**
 * Decodes and validates an envelope received from a bus.
 *
 * @throws StitchError `STITCH_ERR_EVENT_ENVELOPE_INVALID` for bytes that are not an envelope.
 */
export function decodeEnvelope(bytes: Uint8Array): EventEnvelope {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
  } catch (error) {
    throw new StitchError('STITCH_ERR_EVENT_ENVELOPE_INVALID', { detail: 'not JSON' }, { cause: error });
  }
  const parsed = EventEnvelopeSchema.safeParse(json);
  if (!parsed.success) {
    throw new StitchError('STITCH_ERR_EVENT_ENVELOPE_INVALID', {
      detail: issueDetail(parsed.error.issues),
    });
  }
  return parsed.data;
}

/** The transport headers every bus sets from an envelope. */
export function envelopeHeaders(envelope: EventEnvelope): Record<string, string> {
  const headers: Record<string, string> = { 'stitch-event-id': envelope.id, 'stitch-event-type': envelope.type };
  if (envelope.traceparent !== undefined) headers.traceparent = envelope.traceparent;
  if (envelope.tracestate !== undefined) headers.tracestate = envelope.tracestate;
  if (envelope.tenantId !== undefined) headers['stitch-tenant-id'] = envelope.tenantId;
  return headers;
}
