import type { SpanExporter } from '@opentelemetry/sdk-trace-base';

export interface ZipkinExporterOptions {
  /** Zipkin v2 spans URL; the exporter's default is `http://localhost:9411/api/v2/spans`. */
  readonly endpoint?: string | undefined;
  readonly headers: Readonly<Record<string, string>>;
}

/**
 * The official OpenTelemetry Zipkin v2 (JSON) exporter, loaded on first use. The service name
 * comes from the span resource (`service.name`).
 *
 * It has no request timeout of its own: the kernel's exporter guard (at most a few exports in
 * flight, see `guardExporter`) is what keeps a hanging Zipkin from piling up sockets.
 *
 * @example
 *   const exporter = await createZipkinExporter({ endpoint: 'http://127.0.0.1:9411/api/v2/spans', headers: {} });
 */
export async function createZipkinExporter(options: ZipkinExporterOptions): Promise<SpanExporter> {
  const { ZipkinExporter } = await import('@opentelemetry/exporter-zipkin');
  return new ZipkinExporter({ ...(options.endpoint !== undefined && { url: options.endpoint }), headers: { ...options.headers } });
}
