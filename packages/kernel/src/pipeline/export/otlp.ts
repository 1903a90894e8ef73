import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface OtlpExporterOptions {
  readonly protocol: 'http/protobuf' | 'http/json';
  /** Full traces URL; the exporter's default is `http://localhost:4318/v1/traces`. */
  readonly endpoint?: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMillis: number;
}

/**
 * The official OpenTelemetry OTLP/HTTP trace exporter for `protocol` (protobuf or JSON), loaded
 * on first use so services that export elsewhere never load protobuf code. Every value is
 * passed explicitly, so the exporter's own reading of `OTEL_EXPORTER_OTLP_*` never overrides
 * Stitch's config (which already folded those variables in, see `readTracingEnv`).
 *
 * @example
 *   const exporter = await createOtlpExporter({ protocol: 'http/protobuf', endpoint: 'http://127.0.0.1:4318/v1/traces', headers: {}, timeoutMillis: 10000 });
 */
export async function createOtlpExporter(options: OtlpExporterOptions): Promise<SpanExporter> {
  const config = {
    ...(options.endpoint !== undefined && { url: options.endpoint }),
    headers: { ...options.headers },
    timeoutMillis: options.timeoutMillis,
    // Our batch processor sends one batch at a time; two leaves room for one abandoned request.
    concurrencyLimit: 2,
  };
  if (options.protocol === 'http/json') {
    const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
    return new OTLPTraceExporter(config);
  }
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-proto');
  return new OTLPTraceExporter(config);
}
