import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { TokenNameSchema, TokenScopeSchema, TenantIdSchema, type QuestionsResponse, type TokenListResponse, type TokenRevoked } from '@stitch/contract';
import { authenticate, requirePlatformAdmin, requireScope, resolveTenant, scopeLabel } from '../auth/access.js';
import { isRefusal, recordAudit, type AuditEntryInput, type AuditLog } from '../auth/audit-log.js';
import { parseTtl, type TokenRecord, type TokenStore } from '../auth/token-store.js';
import type { CollectorConfig } from '../config/collector-config.js';
import { StitchError } from '@stitch/contract';
import type { CollectorMetrics } from '../metrics/collector-metrics.js';
import type { AskContext } from '../questions/question.js';
import { resolveWindow } from '../questions/query-scope.js';
import { QUESTIONS } from '../questions/registry/index.js';
import type { LogsParams } from '../questions/registry/logs.js';
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
  metrics?: CollectorMetrics;
  /** Where refused requests are counted and written rate-limited. */
  audit: AuditLog;
}

interface RequestAccess {
  token: TokenRecord | null;
  tenantId: string | null;
  audited: boolean;
}

const access = new WeakMap<FastifyRequest, RequestAccess>();

function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new StitchError('STITCH_ERR_COLLECTOR_BAD_QUERY', { detail: issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid' });
  }
  return r.data;
}

function tokenOf(request: FastifyRequest): TokenRecord {
  const a = access.get(request);
  if (!a?.token) throw new StitchError('STITCH_ERR_COLLECTOR_UNAUTHENTICATED');
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
 * The JSON API under /api. Every route needs a bearer token, localhost included; every answered
 * request is written to the audit table with token, scope, tenant and query before its answer
 * leaves, and every refused one (401, 403, 429) is counted and written rate-limited (AuditLog).
 */
export function registerApiRoutes(app: FastifyInstance, deps: ApiDeps): void {
  const { store, tokens, stats, queue, hub, config, metrics } = deps;
  // API latency per question: the route template names it (bounded by the registry).
  const questionOfRoute = new Map(QUESTIONS.map((q) => [`/api${q.route}`, q.name]));
  const streams = new StreamCounter(config.limits.maxConcurrentStreamsPerToken);

  const contextFor = (request: FastifyRequest, token: TokenRecord): AskContext => ({
    store,
    stats,
    config,
    queueDepth: () => queue.depth,
    token,
    tenant: (requested) => tenantFor(request, requested),
    scope: (q, defaultHours = 1) => ({
      tenantId: tenantFor(request, q.tenant),
      ...resolveWindow(q.since, q.until, config.limits.maxQueryWindowHours, defaultHours),
    }),
  });

  // `stitch logs --follow`: a live NDJSON stream from the log hub, audited when it opens.
  const followFor = async (request: FastifyRequest, reply: FastifyReply, token: TokenRecord, q: z.infer<typeof LogsParams>): Promise<FastifyReply> => {
    const tenantId = tenantFor(request, q.tenant);
    const maxRate = config.limits.maxTailLinesPerSecond;
    if (q.rate !== undefined && q.rate > maxRate) throw new StitchError('STITCH_ERR_COLLECTOR_LIMIT_TAIL_RATE', { limit: maxRate });
    if (!streams.tryOpen(token.id)) {
      throw new StitchError('STITCH_ERR_COLLECTOR_LIMIT_STREAMS', { limit: config.limits.maxConcurrentStreamsPerToken });
    }
    const a = access.get(request)!;
    a.audited = true;
    await recordAudit(store, {
      tokenId: token.id,
      scope: scopeLabel(token),
      tenantId,
      route: '/api/logs (follow)',
      query: request.url,
      status: 200,
      requestId: String(request.id),
    }).catch(() => undefined);
    const filter = { traceId: q.trace, service: q.service, instance: q.instance, minSeverity: q.minSeverity };
    followLogs(request, reply, hub, { tenantId, filter, linesPerSecond: Math.min(q.rate ?? maxRate, maxRate), onClose: () => streams.close(token.id) });
    return reply;
  };

  void app.register(
    async (api) => {
      api.addHook('onRequest', async (request) => {
        // Set before authenticating, so a refused request is audited too (without a token).
        access.set(request, { token: null, tenantId: null, audited: false });
        const token = authenticate(tokens, request.headers.authorization);
        access.set(request, { token, tenantId: token.tenantId, audited: false });
      });
      api.addHook('onResponse', async (request, reply) => {
        const question = questionOfRoute.get(request.routeOptions.url ?? '') ?? 'other';
        metrics?.observeApi(question, reply.statusCode, reply.elapsedTime / 1000);
      });
      // onSend, not onResponse: the audit row is written before the answer leaves, so no read
      // is ever answered without its audit entry. A refusal has read nothing: it is counted and
      // buffered instead, so a flood of them costs no write on the request path.
      api.addHook('onSend', async (request, reply, payload) => {
        const a = access.get(request);
        if (!a || a.audited) return payload;
        a.audited = true;
        const entry: AuditEntryInput = {
          tokenId: a.token?.id ?? null,
          scope: a.token ? scopeLabel(a.token) : null,
          tenantId: a.tenantId,
          route: request.routeOptions.url ?? request.url.split('?')[0] ?? '',
          query: request.url,
          status: reply.statusCode,
          requestId: String(request.id),
        };
        if (isRefusal(reply.statusCode)) deps.audit.refuse(entry, a.token ? `token:${a.token.id}` : `ip:${request.ip}`);
        else await recordAudit(store, entry).catch(() => undefined);
        return payload;
      });

      // Every question in the registry is one GET route: scope checked, parameters validated,
      // then asked with the request's tenancy.
      for (const question of QUESTIONS) {
        api.get(question.route, async (request, reply) => {
          const token = tokenOf(request);
          if (question.scope !== 'any') requireScope(token, question.scope);
          const params = parse(question.params, { ...(request.query as object), ...(request.params as object) });
          if (question.follows && (params as { follow?: boolean }).follow === true) {
            return followFor(request, reply, token, params as z.infer<typeof LogsParams>);
          }
          return question.ask(contextFor(request, token), params);
        });
      }

      api.get('/questions', async (request) => {
        tokenOf(request);
        return {
          questions: QUESTIONS.map((q) => ({
            name: q.name,
            asks: q.asks ?? null,
            summary: q.summary,
            route: `/api${q.route}`,
            command: q.cli?.usage ?? null,
            ui: q.ui ?? null,
          })),
        } satisfies QuestionsResponse;
      });

      // Token management, for platform-wide admins only; `stitch token` does the same on the file.
      api.post('/tokens', async (request, reply) => {
        requirePlatformAdmin(tokenOf(request));
        const common = {
          // `scope` (one) is what this route took before tokens had several.
          scope: TokenScopeSchema.optional(),
          scopes: z.array(TokenScopeSchema).min(1).optional(),
          name: TokenNameSchema.optional(),
          /** `90m`, `12h`, `30d`; absent: never expires. */
          ttl: z.string().optional(),
        };
        const body = parse(
          z.union([
            z.object({ ...common, tenantId: TenantIdSchema }).strict(),
            z.object({ ...common, allTenants: z.literal(true) }).strict(),
          ]),
          request.body,
        );
        const scopes = body.scopes ?? (body.scope ? [body.scope] : []);
        if (body.scope && body.scopes) throw new StitchError('STITCH_ERR_COLLECTOR_TOKEN_INVALID', { detail: 'pass scope or scopes, not both' });
        const ttlMillis = body.ttl === undefined ? undefined : parseTtl(body.ttl);
        if (ttlMillis === null) throw new StitchError('STITCH_ERR_COLLECTOR_TOKEN_INVALID', { detail: 'ttl must be like 90m, 12h or 30d (at most 3650d)' });
        const created = tokens.create({
          scopes,
          tenantId: 'tenantId' in body ? body.tenantId : null,
          ...(body.name !== undefined ? { name: body.name } : {}),
          ...(ttlMillis !== undefined ? { ttlMillis } : {}),
        });
        return reply.code(201).send(created);
      });

      api.get('/tokens', async (request): Promise<TokenListResponse> => {
        requirePlatformAdmin(tokenOf(request));
        return { tokens: tokens.list() };
      });

      api.delete('/tokens/:id', async (request): Promise<TokenRevoked> => {
        requirePlatformAdmin(tokenOf(request));
        const { id } = parse(z.object({ id: z.string().min(1).max(64) }), request.params);
        return { revoked: tokens.revoke(id) };
      });
    },
    { prefix: '/api' },
  );
}
