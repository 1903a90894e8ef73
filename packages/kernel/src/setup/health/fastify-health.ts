import type { FastifyInstance } from 'fastify';
import type { StitchHealth } from './create-health.js';

/**
 * `/livez` and `/readyz` as Fastify routes (register it: `app.register(healthRoutes(health))`).
 * The answer is written by the same handler as node:http's, on the raw response, so all three
 * edges give the same status and body.
 */
export function healthRoutes(health: StitchHealth, paths: { live?: string; ready?: string } = {}): (app: FastifyInstance) => Promise<void> {
  return async (app) => {
    for (const path of [paths.live ?? '/livez', paths.ready ?? '/readyz']) {
      const target = path.endsWith('/livez') || path === paths.live ? '/livez' : '/readyz';
      app.get(path, (request, reply) => {
        reply.hijack();
        health.handler(Object.assign(request.raw, { originalUrl: target }), reply.raw);
      });
    }
  };
}
