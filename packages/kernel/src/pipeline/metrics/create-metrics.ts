import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Registry } from 'prom-client';
import { parseOptions } from '../../core/options/parse-options.js';
import { OptionsSchema, OTEL_BUCKETS, refShape } from './metrics-options.js';
import type { CreateMetricsOptions } from './metrics-options.js';
import { createPromBackend } from './prom-backend.js';
import { wireMetrics } from './wire-metrics.js';

export interface StitchMetrics {
  /** The prom-client registry (add your own metrics to it). */
  readonly registry: Registry;
  /** The exposition, for an edge that is neither node:http nor Express (Fastify: `reply.type(contentType).send(body)`). */
  exposition(): Promise<{ contentType: string; body: string }>;
  /** A `(req, res)` handler: mount it as `/metrics` on node:http or Express. */
  handler(req: IncomingMessage, res: ServerResponse): void;
  /** Serves `/metrics` on its own port (0 = any free one); resolves with the port. */
  listen(options: { port: number; host?: string }): Promise<{ port: number }>;
  /** Stops observing spans and closes the port `listen` opened. */
  close(): Promise<void>;
}

/**
 * `@stitch/kernel/metrics`: one prom-client registry fed by what the kernel already counts
 * (`stitch.stats()`, read at scrape time) and by every ended span (a span observer: metrics see
 * unsampled spans, so they count every request whatever the sampling ratio). Every label has a
 * bound; a value past it folds into `other` and `stitch_metrics_label_folds_total` counts it.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` on a bad option.
 * @example
 *   const metrics = createMetrics({ stitch, outbox, pools: { main: pool } });
 *   app.get('/metrics', metrics.handler);          // Express; or await metrics.listen({ port: 9464 })
 */
export function createMetrics(input: CreateMetricsOptions): StitchMetrics {
  const settings = parseOptions(OptionsSchema, refShape(input), 'metrics');
  const options = { ...input, bounds: settings.bounds, tenants: settings.tenants, bucketsSeconds: settings.bucketsSeconds };
  const registry = new Registry();
  const removeObserver = wireMetrics(options, createPromBackend(registry, options.bucketsSeconds ?? OTEL_BUCKETS));
  let server: Server | undefined;
  const exposition = async (): Promise<{ contentType: string; body: string }> => ({ contentType: registry.contentType, body: await registry.metrics() });
  const handler = (_req: IncomingMessage, res: ServerResponse): void => {
    exposition().then(
      ({ contentType, body }) => res.writeHead(200, { 'content-type': contentType }).end(body),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`metrics collection failed: ${(err as Error).message}\n`),
    );
  };
  return {
    registry,
    exposition,
    handler,
    listen({ port, host = '127.0.0.1' }) {
      return new Promise((resolve, reject) => {
        const s = createServer((req, res) => {
          if ((req.url ?? '').split('?')[0] === '/metrics') handler(req, res);
          else res.writeHead(404).end();
        });
        s.once('error', reject).listen(port, host, () => {
          server = s;
          resolve({ port: (s.address() as { port: number }).port });
        });
      });
    },
    async close() {
      removeObserver();
      const s = server;
      server = undefined;
      if (s !== undefined) await new Promise<void>((resolve) => s.close(() => resolve()));
    },
  };
}
