import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { authenticate, requirePlatformAdmin } from '../auth/access.js';
import type { TokenStore } from '../auth/token-store.js';
import { StitchError } from '@stitch/contract';
import { checkReadiness, type ReadinessSources } from '../health/readiness.js';
import type { CollectorMetrics } from '../metrics/collector-metrics.js';
import { sendError } from './error-envelope.js';

export interface HealthRoutesOptions extends ReadinessSources {
  tokens: TokenStore;
  metrics: CollectorMetrics;
}

/**
 * `GET /healthz` (liveness: the process answers; its event-loop delay is reported), `GET /readyz`
 * (readiness, 503 with the failing checks) — both unauthenticated, as probes are, and telling
 * nothing about tenants — and `GET /metrics` in Prometheus text format, which needs an admin
 * token (Prometheus sends it with `authorization: { credentials: … }`).
 */
export function registerHealthRoutes(app: FastifyInstance, options: HealthRoutesOptions): () => void {
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  loopDelay.enable();

  app.get('/healthz', async () => ({
    status: 'ok',
    uptimeSeconds: Math.round((Date.now() - options.stats.startedAtMillis) / 1000),
    eventLoopDelayP99Ms: Math.round(loopDelay.percentile(99) / 1e4) / 100,
  }));

  app.get('/readyz', async (_request, reply) => {
    const readiness = await checkReadiness(options);
    return reply.code(readiness.ready ? 200 : 503).send({ status: readiness.ready ? 'ready' : 'not ready', checks: readiness.checks });
  });

  app.get('/metrics', async (request, reply) => {
    try {
      requirePlatformAdmin(authenticate(options.tokens, request.headers.authorization));
    } catch (err) {
      if (err instanceof StitchError) return sendError(request, reply, err);
      throw err;
    }
    const { contentType, body } = await options.metrics.exposition();
    return reply.type(contentType).send(body);
  });

  return () => loopDelay.disable();
}
