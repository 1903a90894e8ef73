import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TokenScopeSchema, TenantIdSchema } from '@stitch/contract';
import { requireScope, resolveTenant } from '../auth/access.js';
import { queryAudit, recordAudit } from '../auth/audit-log.js';
import type { TokenRecord, TokenStore } from '../auth/token-store.js';
import type { CollectorConfig } from '../config/collector-config.js';
import { CollectorError } from '../errors/collector-error.js';
import { askErrors, askViolations } from '../questions/failures.js';
import { askJobOrigin, askRequestJobs } from '../questions/job-links.js';
import { askLogs } from '../questions/logs.js';
import { askQueriesTop } from '../questions/queries-top.js';
import { askServiceMap } from '../questions/service-map.js';
import { resolveWindow, type QueryScope } from '../questions/query-scope.js';
import { askSlow } from '../questions/slow.js';
import { askStatus } from '../questions/status.js';
import { askTenantOverview } from '../questions/tenant-overview.js';
import { askTenants } from '../questions/tenants.js';
import { askTrace } from '../questions/trace.js';
import { askTraceSearch } from '../questions/trace-search.js';
import { askWebhookRetries } from '../questions/webhook-retries.js';
import type { IngestStats } from '../store/ingest-stats.js';
import type { Store } from '../store/store.js';
import type { WriteQueue } from '../store/write-queue.js';
import type { LogHub } from './log-hub.js';
import { followLogs, StreamCounter } from './log-follow.js';

export interface ApiDeps {
  store: Store;
  tokens: TokenStore;
  stats: IngestStats;
  queue: WriteQueue;
  hub: LogHub;
  config: CollectorConfig;
}

interface RequestAccess {
  token: TokenRecord | null;
  tenantId: string | null;
  audited: boolean;
}

const access = new WeakMap<FastifyRequest, RequestAccess>();

const WindowQuery = z.object({
  since: z.string().max(64).optional(),
  until: z.string().max(64).optional(),
  tenant: TenantIdSchema.optional(),
  limit: z.coerce.number().int().positive().max(10_000).optional(),
});

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new CollectorError('STITCH_ERR_COLLECTOR_BAD_QUERY', { detail: issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid' });
  }
  return r.data;
}

function tokenOf(request: FastifyRequest): TokenRecord {
  const a = access.get(request);
  if (!a?.token) throw new CollectorError('STITCH_ERR_COLLECTOR_UNAUTHENTICATED');
  return a.token;
}

/** Applies the token's tenant pin and records it for the audit entry. */
function tenantFor(request: FastifyRequest, requested: string | undefined): string | null {
  const tenantId = resolveTenant(tokenOf(request), requested);
  const a = access.get(request);
  if (a) a.tenantId = tenantId;
  return tenantId;
}

/**
 * The JSON API under /api. Every route needs a bearer token, localhost included; every request
 * (answered or refused) is written to the audit table with token, scope, tenant and query.
 */
export function registerApiRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, tokens, stats, queue, hub, config } = deps;
  const streams = new StreamCounter(config.limits.maxConcurrentStreamsPerToken);

  const scopeFrom = (request: FastifyRequest, q: z.infer<typeof WindowQuery>, defaultHours = 1): QueryScope => {
    const tenantId = tenantFor(request, q.tenant);
    return { tenantId, ...resolveWindow(q.since, q.until, config.limits.maxQueryWindowHours, defaultHours) };
  };

  void app.register(
    async (api) => {
      api.addHook('onRequest', async (request) => {
        const header = request.headers.authorization;
        const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
        const token = match ? tokens.verify(match[1]!) : null;
        access.set(request, { token, tenantId: token?.tenantId ?? null, audited: false });
        if (!token) throw new CollectorError('STITCH_ERR_COLLECTOR_UNAUTHENTICATED', {}, { 'www-authenticate': 'Bearer' });
      });
      // onSend, not onResponse: the audit row is written before the answer leaves, so no read
      // is ever answered without its audit entry.
      api.addHook('onSend', async (request, reply, payload) => {
        const a = access.get(request);
        if (!a || a.audited) return payload;
        a.audited = true;
        await recordAudit(store, {
          tokenId: a.token?.id ?? null,
          scope: a.token?.scope ?? null,
          tenantId: a.tenantId,
          route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
          query: request.url,
          status: reply.statusCode,
          requestId: String(request.id),
        }).catch(() => undefined);
        return payload;
      });

      api.get('/traces/:traceId', async (request) => {
        const token = tokenOf(request);
        requireScope(token, 'traces:read');
        const { traceId } = parse(z.object({ traceId: z.string().max(64) }), request.params);
        const result = await askTrace(store, traceId, tenantFor(request, undefined));
        // Log lines are tenant data under their own scope (seed 002): traces:read alone gets none.
        if (token.scope !== 'admin' && token.scope !== 'logs:read') result.logs = [];
        return result;
      });

      api.get('/slow', async (request) => {
        requireScope(tokenOf(request), 'traces:read');
        const q = parse(WindowQuery, request.query);
        const scope = scopeFrom(request, q);
        if (scope.tenantId === null) throw new CollectorError('STITCH_ERR_COLLECTOR_BAD_QUERY', { detail: 'tenant is required' });
        return askSlow(store, scope.tenantId, scope, tokenOf(request).tenantId === null);
      });

      api.get('/queries/top', async (request) => {
        requireScope(tokenOf(request), 'traces:read');
        const q = parse(WindowQuery, request.query);
        return askQueriesTop(store, scopeFrom(request, q), q.limit ?? 20);
      });

      api.get('/webhooks/retries', async (request) => {
        requireScope(tokenOf(request), 'traces:read');
        const q = parse(WindowQuery, request.query);
        return askWebhookRetries(store, scopeFrom(request, q), q.limit ?? 20);
      });

      api.get('/jobs/:id/origin', async (request) => {
        requireScope(tokenOf(request), 'traces:read');
        const { id } = parse(z.object({ id: z.string().min(1).max(200) }), request.params);
        return askJobOrigin(store, id, tenantFor(request, undefined));
      });

      api.get('/requests/:traceId/jobs', async (request) => {
        requireScope(tokenOf(request), 'traces:read');
        const { traceId } = parse(z.object({ traceId: z.string().max(64) }), request.params);
        return askRequestJobs(store, traceId, tenantFor(request, undefined));
      });

      api.get('/errors', async (request) => {
        requireScope(tokenOf(request), 'traces:read');
        const q = parse(WindowQuery, request.query);
        return askErrors(store, scopeFrom(request, q), q.limit ?? 50);
      });

      api.get('/violations', async (request) => {
        requireScope(tokenOf(request), 'traces:read');
        const q = parse(WindowQuery, request.query);
        return askViolations(store, scopeFrom(request, q), q.limit ?? 50);
      });

      // Web UI questions: trace search, tenant overview, service map.
      const SearchQuery = WindowQuery.extend({
        service: z.string().min(1).max(200).optional(),
        route: z.string().min(1).max(500).optional(),
        minDurationMs: z.coerce.number().min(0).optional(),
        errors: z.enum(['true', 'false', '1', '0']).optional(),
        violations: z.enum(['true', 'false', '1', '0']).optional(),
      });
      const isTrue = (v: string | undefined): boolean => v === 'true' || v === '1';

      api.get('/traces', async (request) => {
        requireScope(tokenOf(request), 'traces:read');
        const q = parse(SearchQuery, request.query);
        return askTraceSearch(store, scopeFrom(request, q), {
          service: q.service,
          route: q.route,
          minDurationMs: q.minDurationMs,
          errorsOnly: isTrue(q.errors),
          violationsOnly: isTrue(q.violations),
          limit: q.limit ?? 100,
        });
      });

      api.get('/overview', async (request) => {
        requireScope(tokenOf(request), 'traces:read');
        const q = parse(WindowQuery.extend({ buckets: z.coerce.number().int().min(1).max(240).optional() }), request.query);
        return askTenantOverview(store, scopeFrom(request, q), q.buckets ?? 60);
      });

      api.get('/service-map', async (request) => {
        requireScope(tokenOf(request), 'traces:read');
        return askServiceMap(store, scopeFrom(request, parse(WindowQuery, request.query)));
      });

      api.get('/tenants', async (request) => {
        requireScope(tokenOf(request), 'traces:read');
        const q = parse(WindowQuery, request.query);
        return askTenants(store, scopeFrom(request, q), q.limit ?? 200);
      });

      const LogsQuery = WindowQuery.extend({
        trace: z.string().regex(/^[0-9a-fA-F]{32}$/).optional(),
        service: z.string().max(200).optional(),
        instance: z.string().max(200).optional(),
        minSeverity: z.coerce.number().int().min(0).max(24).optional(),
        follow: z.enum(['true', 'false', '1', '0']).optional(),
        /** Lines per second the follower wants; above the limit is refused with 429. */
        rate: z.coerce.number().positive().optional(),
      });

      api.get('/logs', async (request, reply) => {
        const token = tokenOf(request);
        requireScope(token, 'logs:read');
        const q = parse(LogsQuery, request.query);
        const filter = { traceId: q.trace, service: q.service, instance: q.instance, minSeverity: q.minSeverity };
        if (q.follow === 'true' || q.follow === '1') {
          const tenantId = tenantFor(request, q.tenant);
          const maxRate = config.limits.maxTailLinesPerSecond;
          if (q.rate !== undefined && q.rate > maxRate) {
            throw new CollectorError('STITCH_ERR_COLLECTOR_LIMIT_TAIL_RATE', { limit: maxRate });
          }
          if (!streams.tryOpen(token.id)) {
            throw new CollectorError('STITCH_ERR_COLLECTOR_LIMIT_STREAMS', { limit: config.limits.maxConcurrentStreamsPerToken });
          }
          const a = access.get(request)!;
          a.audited = true;
          await recordAudit(store, {
            tokenId: token.id,
            scope: token.scope,
            tenantId,
            route: '/api/logs (follow)',
            query: request.url,
            status: 200,
            requestId: String(request.id),
          }).catch(() => undefined);
          followLogs(request, reply, hub, { tenantId, filter, linesPerSecond: Math.min(q.rate ?? maxRate, maxRate), onClose: () => streams.close(token.id) });
          return reply;
        }
        return askLogs(store, scopeFrom(request, q), { ...filter, limit: q.limit ?? 200 });
      });

      api.get('/status', async (request) => {
        tokenOf(request);
        return askStatus(store, stats, queue.depth, config);
      });

      api.get('/audit', async (request) => {
        requireScope(tokenOf(request), 'admin');
        const q = parse(z.object({ token: z.string().max(64).optional(), tenant: z.string().max(64).optional(), limit: z.coerce.number().int().positive().optional() }), request.query);
        return queryAudit(store, { tokenId: q.token, tenantId: q.tenant, limit: q.limit ?? 200 });
      });

      api.post('/tokens', async (request, reply) => {
        const token = tokenOf(request);
        if (token.scope !== 'admin' || token.tenantId !== null) throw new CollectorError('STITCH_ERR_COLLECTOR_FORBIDDEN', { scope: 'admin' });
        const body = parse(
          z.union([
            z.object({ scope: TokenScopeSchema, tenantId: TenantIdSchema }),
            z.object({ scope: TokenScopeSchema, allTenants: z.literal(true) }),
          ]),
          request.body,
        );
        const created = tokens.create(body.scope, 'tenantId' in body ? body.tenantId : null);
        return reply.code(201).send(created);
      });
    },
    { prefix: '/api' },
  );
}
