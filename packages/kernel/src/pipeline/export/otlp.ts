import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface OtlpExporterOptions {
  readonly protocol: 'http/protobuf' | 'http/json';
  /** Full traces URL; the exporter's default is `http://localhost:4318/v1/traces`. */
  readonly endpoint?: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
}

/**
 * OpenTelemetry's OTLP/HTTP trace exporter for `protocol` (protobuf or JSON), with a 2xx counted
 * as exported only when its body is an OTLP response (checked-otlp-exporter.ts), loaded on first
 * use so services that export elsewhere never load protobuf code. Every value is
 * passed explicitly, so the exporter's own reading of `OTEL_EXPORTER_OTLP_*` never overrides
 * Stitch's config (which already folded those variables in: setup/config/env-mapping.ts).
 *
 * @example
 *   const exporter = await createOtlpExporter({ protocol: 'http/protobuf', endpoint: 'http://127.0.0.1:4318/v1/traces', headers: {}, timeoutMillis: 10000 });
 */
export async function createOtlpExporter(options: OtlpExporterOptions): Promise<SpanExporter> {
  const { createCheckedOtlpSpanExporter } = await import('./checked-otlp-exporter.js');
  // Our batch processor sends one batch at a time; two leaves room for one abandoned request.
  return createCheckedOtlpSpanExporter({ ...options, concurrencyLimit: 2 });
}
