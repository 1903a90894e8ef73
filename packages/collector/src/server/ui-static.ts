import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';

/**
 * Serves the prebuilt web UI (packages/collector/ui-dist/, built by the UI package) under `/ui/`.
 * The files are public; the data comes from the token-protected API. Unknown paths under /ui/
 * get index.html so client-side routes load.
 */
export async function registerUi(app: FastifyInstance, root: string): Promise<void> {
  await app.register(fastifyStatic, { root, prefix: '/ui/', wildcard: false });
  app.get('/', (_req, reply) => reply.redirect('/ui/'));
  app.get('/ui/*', (_req, reply) => reply.sendFile('index.html'));
}
