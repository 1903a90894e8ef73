import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { DestinationStream, Logger } from 'pino';
import { AuditLog } from '../auth/audit-log.js';
import { TokenStore, tokenFilePath } from '../auth/token-store.js';
import type { CollectorConfig } from '../config/collector-config.js';
import { Forwarder } from '../forward/forwarder.js';
import { decodeOtlpInSlices } from '../otlp/decode.js';
import { createIngestStats, sampleIngestRate, type IngestStats } from '../store/ingest-stats.js';
import { startRetention } from '../store/retention.js';
import { openStore } from '../store/open-store.js';
import type { Store } from '../store/store.js';
import { WriteQueue } from '../store/write-queue.js';
import { CollectorMetrics } from '../metrics/collector-metrics.js';
import { registerApiRoutes } from './api-routes.js';
import { createCollectorLogger } from './collector-logger.js';
import { installErrorHandler } from './error-envelope.js';
import { registerHealthRoutes } from './health-routes.js';
import { LogHub } from './log-hub.js';
import { registerOtlpRoutes } from './otlp-routes.js';
import { IngestAdmission } from './ingest-admission.js';
import { startOtlpGrpcReceiver, type OtlpGrpcReceiver } from '../ingest/otlp-grpc-receiver.js';
import { registerUi } from './ui-static.js';

export interface Collector {
  app: FastifyInstance;
  store: Store;
  tokens: TokenStore;
  stats: IngestStats;
  queue: WriteQueue;
  config: CollectorConfig;
  metrics: CollectorMetrics;
  /** The server log (pino, `config.logLevel`). */
  log: Logger;
  /** `http://host:port` once listening. */
  url: string;
  /** `host:port` of the OTLP/gRPC receiver, or null with `grpcPort: 'off'`. */
  grpcAddress: string | null;
  /** `http://host:port/ui/`, the web UI's address; null when no UI build was found to serve. */
  uiUrl: string | null;
  close(): Promise<void>;
}

const defaultUiDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'ui-dist');

/**
 * Opens the store and starts `stitch serve`: the OTLP receiver, the API, retention and
 * forwarding. Port 0 picks a free port (tests).
 *
 * @example const c = await startCollector(loadCollectorConfig({ port: 0, data: '/tmp/s.duckdb' }))
 */
export interface CollectorRuntime {
  /** Where the server log goes (default: stderr). Tests pass a stream to read the lines. */
  logDestination?: DestinationStream;
  /** A store opened by the caller instead of the configured one (tests: ClickHouse on chdb); closed with the collector. */
  store?: Store;
}

export async function startCollector(config: CollectorConfig, runtime: CollectorRuntime = {}): Promise<Collector> {
  const log = createCollectorLogger(config.logLevel, runtime.logDestination);
  const store = runtime.store ?? (await openStore({ data: resolve(config.data), store: config.store, memoryLimit: config.memoryLimit }));
  const tokens = new TokenStore(tokenFilePath(resolve(config.data)));
  const stats = createIngestStats();
  const hub = new LogHub();
  const queue = new WriteQueue(
    store,
    { maxPendingRecords: config.maxQueueRecords, retryAfterSeconds: config.retryAfterSeconds },
    stats,
    (logs) => hub.publish(logs),
    (seconds, ok) => metrics.observeCommit(seconds, ok),
  );
  const queueDepth = (): number => queue.depth;
  const metrics = new CollectorMetrics({ stats, store, config, queueDepth });
  const forwarder = config.forward.url ? new Forwarder({ ...config.forward, url: config.forward.url }, stats, { log }) : null;
  // On ClickHouse the pass trims Stitch's audit only: otel_traces/otel_logs keep their table TTL (retention.ts).
  const stopRetention = startRetention(store, config.retention, stats);
  const audit = new AuditLog(store, stats, config.audit);
  const sampler = setInterval(() => sampleIngestRate(stats), 5_000);
  sampler.unref();

  const app = Fastify({
    // Widened to fastify's logger type, so the instance keeps the plain FastifyInstance type.
    loggerInstance: log as FastifyBaseLogger,
    // The OTLP routes set their own (configurable) limit; the JSON API needs little.
    bodyLimit: 1024 * 1024,
    genReqId: () => crypto.randomUUID(),
  });
  installErrorHandler(app, config.maxBodyBytes);
  // One admission for OTLP/HTTP and OTLP/gRPC: the in-flight, byte and per-sender limits hold
  // across both protocols.
  const admission = new IngestAdmission({
    maxRequests: config.maxInflightRequests,
    maxBytes: config.maxInflightBytes,
    maxPerSender: config.maxInflightPerSender,
  });
  registerOtlpRoutes(app, {
    admission,
    queue,
    stats,
    forwarder,
    maxBodyBytes: config.maxBodyBytes,
    maxInflightRequests: config.maxInflightRequests,
    maxInflightBytes: config.maxInflightBytes,
    maxInflightPerSender: config.maxInflightPerSender,
    bodyTimeoutMillis: config.bodyTimeoutMillis,
    maxQueueRecords: config.maxQueueRecords,
    retryAfterSeconds: config.retryAfterSeconds,
    recordLimits: config.recordLimits,
    tokens,
    ingestAuth: config.ingestAuth,
  });
  registerApiRoutes(app, { store, tokens, stats, queue, hub, config, metrics, audit });
  const stopHealth = registerHealthRoutes(app, { store, stats, config, queueDepth, tokens, metrics });
  const uiDir = config.uiDir ?? defaultUiDir;
  const servesUi = existsSync(uiDir);
  if (servesUi) await registerUi(app, uiDir);

  let url: string;
  let grpc: OtlpGrpcReceiver | null = null;
  try {
    url = await app.listen({ host: config.host, port: config.port });
    if (config.grpcPort !== 'off') {
      grpc = await startOtlpGrpcReceiver({
        host: config.host,
        port: config.grpcPort,
        // The OTLP/HTTP routes' decoder: large messages decoded in slices (otlp/decode.ts).
        decode: decodeOtlpInSlices,
        queue,
        stats,
        forwarder,
        admission,
        maxMessageBytes: config.maxBodyBytes,
        maxInflightRequests: config.maxInflightRequests,
        maxQueueRecords: config.maxQueueRecords,
        retryAfterSeconds: config.retryAfterSeconds,
        recordLimits: config.recordLimits,
        tokens,
        ingestAuth: config.ingestAuth,
        shutdownGraceMillis: config.shutdownGraceMillis,
      }).catch((err: unknown) => {
        // grpc-js says "No address added out of total 1 resolved"; say which port and what to do.
        throw new Error(
          `OTLP/gRPC cannot listen on ${config.host}:${config.grpcPort} (${(err as Error).message}); is the port taken? Set grpcPort (--grpc-port, STITCH_GRPC_PORT) to another port, or to off`,
          { cause: err },
        );
      });
    }
  } catch (err) {
    // Release the store (and its file lock) so the caller can report and exit cleanly.
    clearInterval(sampler);
    stopHealth();
    await stopRetention();
    await app.close().catch(() => undefined);
    await audit.close();
    await store.close();
    throw err;
  }
  let closed = false;
  return {
    app,
    store,
    tokens,
    stats,
    queue,
    config,
    metrics,
    log,
    url: url.replace('[::1]', 'localhost'),
    grpcAddress: grpc?.address ?? null,
    uiUrl: servesUi ? `${url.replace('[::1]', 'localhost')}/ui/` : null,
    async close() {
      if (closed) return;
      closed = true;
      clearInterval(sampler);
      stopHealth();
      // app.close() waits for every open connection; a follow stream or a stalled reader would
      // hold shutdown for ever (a `stitch logs --follow` did), so past the grace they are cut.
      const cut = setTimeout(() => app.server.closeAllConnections(), config.shutdownGraceMillis);
      await Promise.all([app.close(), grpc?.close()]);
      clearTimeout(cut);
      await queue.idle();
      await audit.close();
      await stopRetention();
      await forwarder?.close();
      await store.close();
    },
  };
}
