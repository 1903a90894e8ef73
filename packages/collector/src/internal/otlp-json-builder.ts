import { randomBytes } from 'node:crypto';

/**
 * Builds OTLP/JSON export requests for tests, the store generator and benches: the same wire
 * format any SDK sends, so seeded data goes through the real decoder.
 */
export interface SpanSpec {
  traceId: string;
  spanId?: string;
  parentSpanId?: string;
  name: string;
  /** OTLP SpanKind int: 1 internal, 2 server, 3 client, 4 producer, 5 consumer. */
  kind?: number;
  startMillis: number;
  durationMillis: number;
  attributes?: Record<string, string | number | boolean>;
  /** 2 = error. */
  statusCode?: number;
  statusMessage?: string;
  events?: { name: string; timeMillis: number; attributes?: Record<string, string | number | boolean> }[];
  links?: { traceId: string; spanId: string }[];
}

export interface LogSpec {
  timeMillis: number;
  body: string;
  severityNumber?: number;
  severityText?: string;
  traceId?: string;
  spanId?: string;
  attributes?: Record<string, string | number | boolean>;
}

export const newTraceId = (): string => randomBytes(16).toString('hex');
export const newSpanId = (): string => randomBytes(8).toString('hex');

function kv(attrs: Record<string, string | number | boolean> = {}): unknown[] {
  return Object.entries(attrs).map(([key, v]) => ({
    key,
    value:
      typeof v === 'string'
        ? { stringValue: v }
        : typeof v === 'boolean'
          ? { boolValue: v }
          : Number.isInteger(v)
            ? { intValue: String(v) }
            : { doubleValue: v },
  }));
}

const nanos = (millis: number): string => (BigInt(Math.round(millis * 1000)) * 1000n).toString();

export function tracesRequest(service: string, spans: SpanSpec[], resourceAttrs: Record<string, string> = {}): object {
  return {
    resourceSpans: [
      {
        resource: { attributes: kv({ 'service.name': service, ...resourceAttrs }) },
        scopeSpans: [
          {
            scope: { name: 'stitch-test' },
            spans: spans.map((s) => ({
              traceId: s.traceId,
              spanId: s.spanId ?? newSpanId(),
              ...(s.parentSpanId ? { parentSpanId: s.parentSpanId } : {}),
              name: s.name,
              kind: s.kind ?? 1,
              startTimeUnixNano: nanos(s.startMillis),
              endTimeUnixNano: nanos(s.startMillis + s.durationMillis),
              attributes: kv(s.attributes),
              status: s.statusCode ? { code: s.statusCode, message: s.statusMessage ?? '' } : {},
              events: (s.events ?? []).map((e) => ({ name: e.name, timeUnixNano: nanos(e.timeMillis), attributes: kv(e.attributes) })),
              links: (s.links ?? []).map((l) => ({ traceId: l.traceId, spanId: l.spanId })),
            })),
          },
        ],
      },
    ],
  };
}

export function logsRequest(service: string, logs: LogSpec[]): object {
  return {
    resourceLogs: [
      {
        resource: { attributes: kv({ 'service.name': service }) },
        scopeLogs: [
          {
            scope: { name: 'stitch-test' },
            logRecords: logs.map((l) => ({
              timeUnixNano: nanos(l.timeMillis),
              observedTimeUnixNano: nanos(l.timeMillis),
              severityNumber: l.severityNumber ?? 9,
              severityText: l.severityText ?? 'INFO',
              body: { stringValue: l.body },
              ...(l.traceId ? { traceId: l.traceId } : {}),
              ...(l.spanId ? { spanId: l.spanId } : {}),
              attributes: kv(l.attributes),
            })),
          },
        ],
      },
    ],
  };
}

/** POSTs an OTLP/JSON request and returns the response. */
export function postOtlpJson(baseUrl: string, signal: 'traces' | 'logs', body: object): Promise<Response> {
  return fetch(`${baseUrl}/v1/${signal}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}
