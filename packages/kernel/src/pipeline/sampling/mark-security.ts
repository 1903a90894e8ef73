import { trace } from '@opentelemetry/api';
import type { Span } from '@opentelemetry/api';
import { SpanAttr } from '@stitch/contract';
import { keepTraceOf } from './local-trace.js';

/**
 * Marks an operation as security-relevant (an auth failure, a permission change, a masquerade):
 * sets `stitch.security` on the span and makes the tail sampler keep the whole trace, whatever
 * the head decided. Spans started in the trace afterwards are sampled, so calls made from then
 * on tell downstream services to sample too.
 *
 * @example
 *   if (!valid) { markSecurityRelevant('auth_failure'); throw new StitchError('STITCH_ERR_EDGE_UNAUTHENTICATED'); }
 */
export function markSecurityRelevant(kind: string, span: Span | undefined = trace.getActiveSpan()): void {
  if (span === undefined || !span.isRecording()) return;
  span.setAttribute(SpanAttr.security, kind);
  keepTraceOf(span, 'security');
}
