import type { AuditResponse } from '@stitch/contract';
import type { Store } from '../store/store.js';
import { isoFromNanos, num, strOrNull } from '../questions/query-scope.js';

export interface AuditEntryInput {
  tokenId: string | null;
  scope: string | null;
  tenantId: string | null;
  route: string;
  query: string;
  status: number;
  requestId: string;
}

/** Records one API read (seed 002: tenant data access is scoped and auditable). */
export async function recordAudit(store: Store, entry: AuditEntryInput): Promise<void> {
  await store.exec(`INSERT INTO audit VALUES ($time, $token, $scope, $tenant, $route, $query, $status, $req)`, {
    time: BigInt(Date.now()) * 1_000_000n,
    token: entry.tokenId,
    scope: entry.scope,
    tenant: entry.tenantId,
    route: entry.route,
    query: entry.query.slice(0, 2000),
    status: entry.status,
    req: entry.requestId,
  });
}

/** `GET /api/audit` (admin): newest first, optionally for one token or tenant. */
export async function queryAudit(
  store: Store,
  filter: { tokenId?: string; tenantId?: string; limit: number },
): Promise<AuditResponse> {
  const where: string[] = ['1 = 1'];
  const params: Record<string, string> = {};
  if (filter.tokenId) {
    where.push('token_id = $token');
    params.token = filter.tokenId;
  }
  if (filter.tenantId) {
    where.push('tenant_id = $tenant');
    params.tenant = filter.tenantId;
  }
  const rows = await store.query(
    `SELECT * FROM audit WHERE ${where.join(' AND ')} ORDER BY time_ns DESC LIMIT ${Math.max(1, Math.min(filter.limit, 10_000))}`,
    params,
  );
  return {
    entries: rows.map((r) => ({
      time: isoFromNanos(r.time_ns as string),
      tokenId: strOrNull(r.token_id),
      scope: strOrNull(r.scope),
      tenantId: strOrNull(r.tenant_id),
      route: String(r.route ?? ''),
      query: String(r.query ?? ''),
      status: num(r.status),
      requestId: String(r.request_id ?? ''),
    })),
  };
}
