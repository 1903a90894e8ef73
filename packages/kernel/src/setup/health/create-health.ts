import type { IncomingMessage, ServerResponse } from 'node:http';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { z } from 'zod';
import { StitchError } from '../../core/errors/stitch-error.js';
import { parseOptions } from '../../core/options/parse-options.js';
import { runCheck } from './health-check.js';
import type { HealthCheck, Readiness } from './health-check.js';

export interface CreateHealthOptions {
  /** Readiness checks to start with; `register` adds more. */
  readonly checks?: readonly HealthCheck[];
  /** A check that has not answered in this long fails (default 1000). */
  readonly timeoutMillis?: number;
  /** Liveness fails when the event loop stalled longer than this between two probes (default 5000). */
  readonly maxEventLoopDelayMillis?: number;
}

const OptionsSchema = z.object({
  checks: z.array(z.object({ name: z.string().min(1) }).passthrough()).optional(),
  timeoutMillis: z.number().int().positive().default(1000),
  maxEventLoopDelayMillis: z.number().int().positive().default(5000),
});

export interface Liveness {
  readonly live: boolean;
  readonly uptimeSeconds: number;
  /** The longest event-loop stall since the previous liveness probe. */
  readonly eventLoopDelayMaxMs: number;
}

export interface StitchHealth {
  /** Adds a readiness check (a service's own: a cache, a licence, a downstream API). */
  register(check: HealthCheck): void;
  /** Runs every check at once, each under its deadline. */
  check(): Promise<Readiness>;
  live(): Liveness;
  /** `(req, res)` for node:http and Express: answers `/livez` and `/readyz`, 404 otherwise; mount it or call it from your router. */
  handler(req: IncomingMessage, res: ServerResponse): void;
  /** Stops the event-loop monitor. */
  close(): void;
}

/**
 * `@stitch/kernel/health`: liveness (`/livez`: the process is up and its event loop responsive)
 * and readiness (`/readyz`: every required check passes), each a JSON body listing the checks
 * with status, latency and reason; 503 when not live or not ready.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` on a bad option or a check name given twice.
 * @example
 *   const health = createHealth({ checks: [databaseCheck(pool), natsCheck(nc), outboxLagCheck(outbox, { maxAgeMillis: 30_000 })] });
 *   app.get(['/livez', '/readyz'], health.handler);   // Express; Fastify: healthRoutes(fastify, health)
 */
export function createHealth(input: CreateHealthOptions = {}): StitchHealth {
  // Checks are live objects: only their shape is validated, never frozen.
  const settings = parseOptions(OptionsSchema, { ...input, checks: input.checks?.map((c) => ({ name: c?.name })) }, 'health');
  const checks = new Map<string, HealthCheck>();
  const startedAt = Date.now();
  const delay = monitorEventLoopDelay({ resolution: 20 });
  delay.enable();
  const register = (check: HealthCheck): void => {
    if (typeof check?.check !== 'function' || typeof check.name !== 'string' || check.name === '') {
      throw new StitchError('STITCH_ERR_CONFIG_INVALID', { detail: 'health.checks: a check needs a name and a check() function' });
    }
    if (checks.has(check.name)) throw new StitchError('STITCH_ERR_CONFIG_INVALID', { detail: `health.checks: "${check.name}" is registered twice` });
    checks.set(check.name, check);
  };
  for (const check of input.checks ?? []) register(check);

  const check = async (): Promise<Readiness> => {
    const results = await Promise.all([...checks.values()].map((c) => runCheck(c, settings.timeoutMillis)));
    const ready = results.every((r) => r.status !== 'fail');
    return { ready, status: !ready ? 'not ready' : results.some((r) => r.status === 'warn') ? 'degraded' : 'ready', checks: results };
  };
  const live = (): Liveness => {
    const maxMs = Math.round(delay.max / 1e4) / 100;
    delay.reset();
    return { live: maxMs <= settings.maxEventLoopDelayMillis, uptimeSeconds: Math.round((Date.now() - startedAt) / 1000), eventLoopDelayMaxMs: maxMs };
  };
  const send = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' }).end(JSON.stringify(body));
  };
  return {
    register,
    check,
    live,
    handler(req, res) {
      // Express mounted under a prefix rewrites req.url; originalUrl keeps the whole path.
      const path = ((req as { originalUrl?: string }).originalUrl ?? req.url ?? '').split('?')[0];
      if (path?.endsWith('/livez')) {
        const l = live();
        send(res, l.live ? 200 : 503, { status: l.live ? 'live' : 'not live', ...l });
      } else if (path?.endsWith('/readyz')) {
        check().then(
          (r) => send(res, r.ready ? 200 : 503, r),
          (err: unknown) => send(res, 503, { ready: false, status: 'not ready', checks: [], reason: String(err) }),
        );
      } else send(res, 404, { status: 'not found' });
    },
    close: () => delay.disable(),
  };
}
