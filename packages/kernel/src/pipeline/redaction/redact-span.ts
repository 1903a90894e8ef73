import type { Link, SpanStatus } from '@opentelemetry/api';
import type { ReadableSpan, TimedEvent } from '@opentelemetry/sdk-trace-base';
import { redactAttributes } from './redact-attributes.js';
import { defaultRedactor } from './redactor.js';
import type { Redactor } from './redactor.js';

/**
 * The span as it may leave the process: name, attributes, event attributes (exception messages and
 * stacks included), link attributes and the status message redacted. Returns `span` itself
 * when nothing needed redacting; otherwise a view that shares everything else with the
 * original (ids, times, resource), so exporters see an ordinary ReadableSpan.
 *
 * @example
 *   exporter.export(spans.map((span) => redactSpan(span, redactor)), done);
 */
export function redactSpan(span: ReadableSpan, redactor: Redactor = defaultRedactor()): ReadableSpan {
  const attributes = redactAttributes(span.attributes, redactor);
  const events = redactEvents(span.events, redactor);
  const links = redactLinks(span.links, redactor);
  const status = redactStatus(span.status, redactor);
  // Names should be route templates, but a raw URL with `?token=…` does turn up in them.
  const name = redactor.redactString(span.name);
  if (name === span.name && attributes === span.attributes && events === span.events && links === span.links && status === span.status) return span;
  // Object.create keeps the SDK's prototype getters (duration, ended, dropped counts) and
  // spanContext() working against the original's fields.
  const view = Object.create(span) as ReadableSpan;
  Object.defineProperties(view, {
    name: { value: name, enumerable: true },
    attributes: { value: attributes, enumerable: true },
    events: { value: events, enumerable: true },
    links: { value: links, enumerable: true },
    status: { value: status, enumerable: true },
  });
  return view;
}

function redactEvents(events: TimedEvent[], redactor: Redactor): TimedEvent[] {
  let copy: TimedEvent[] | undefined;
  for (let i = 0; i < events.length; i += 1) {
    const event = events[i] as TimedEvent;
    const attributes = event.attributes === undefined ? undefined : redactAttributes(event.attributes, redactor);
    const name = redactor.redactString(event.name);
    const next = attributes === event.attributes && name === event.name ? event : { ...event, name, attributes };
    if (next !== event && copy === undefined) copy = events.slice(0, i);
    if (copy !== undefined) copy.push(next);
  }
  return copy ?? events;
}

function redactLinks(links: Link[], redactor: Redactor): Link[] {
  let copy: Link[] | undefined;
  for (let i = 0; i < links.length; i += 1) {
    const link = links[i] as Link;
    const attributes = link.attributes === undefined ? undefined : redactAttributes(link.attributes, redactor);
    const next = attributes === link.attributes ? link : { ...link, attributes };
    if (next !== link && copy === undefined) copy = links.slice(0, i);
    if (copy !== undefined) copy.push(next);
  }
  return copy ?? links;
}

function redactStatus(status: SpanStatus, redactor: Redactor): SpanStatus {
  if (status.message === undefined) return status;
  const message = redactor.redactString(status.message);
  return message === status.message ? status : { ...status, message };
}
