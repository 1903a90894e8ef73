import type { TokenScope } from '@stitch/contract';
import { StitchError } from '@stitch/contract';
import type { TokenRecord, TokenStore } from './token-store.js';

/**
 * What a request may see, resolved once from its token. Every question takes one of these and
 * nothing else decides tenancy: a tenant-bound token pins `tenantId`, whatever the query asked.
 */
export interface Access {
  token: TokenRecord;
  /** Non-null: every read is confined to this tenant. */
  tenantId: string | null;
}

/** The token of an `Authorization: Bearer <token>` header, or null. */
export function bearerToken(header: string | string[] | undefined): string | null {
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match ? match[1]! : null;
}

/**
 * The token record of a request's Authorization header. No token, an unknown or revoked one:
 * 401 STITCH_ERR_COLLECTOR_UNAUTHENTICATED; an expired one: 401 STITCH_ERR_COLLECTOR_TOKEN_EXPIRED,
 * so a CI job whose token ran out is told why.
 *
 * @example const token = authenticate(tokens, request.headers.authorization);
 */
export function authenticate(tokens: TokenStore, header: string | string[] | undefined): TokenRecord {
  const secret = bearerToken(header);
  const result = secret === null ? ({ ok: false, reason: 'unknown' } as const) : tokens.check(secret);
  if (result.ok) return result.record;
  // RFC 6750 §3: a refused bearer token is answered with a challenge.
  if (result.reason === 'expired') {
    throw new StitchError('STITCH_ERR_COLLECTOR_TOKEN_EXPIRED', { expiresAt: result.expiresAt }, { headers: { 'www-authenticate': 'Bearer error="invalid_token"' } });
  }
  throw new StitchError('STITCH_ERR_COLLECTOR_UNAUTHENTICATED', {}, { headers: { 'www-authenticate': 'Bearer' } });
}

/** Whether the token carries the scope; admin implies every scope. */
export function hasScope(token: TokenRecord, scope: TokenScope): boolean {
  return token.scopes.includes(scope) || token.scopes.includes('admin');
}

/** Admin tokens may do everything; others only what their scopes name. */
export function requireScope(token: TokenRecord, scope: TokenScope): void {
  if (!hasScope(token, scope)) throw new StitchError('STITCH_ERR_COLLECTOR_FORBIDDEN', { scope });
}

/** Token management and /metrics: an admin token that is not bound to a tenant. */
export function requirePlatformAdmin(token: TokenRecord): void {
  if (!token.scopes.includes('admin') || token.tenantId !== null) throw new StitchError('STITCH_ERR_COLLECTOR_FORBIDDEN', { scope: 'admin' });
}

/** The scopes as the audit table records them: comma-separated. */
export function scopeLabel(token: TokenRecord): string {
  return token.scopes.join(',');
}

/**
 * Resolves the tenant a query runs for. A tenant-bound token is always confined to its own
 * tenant; naming another one explicitly is refused (403) so a script notices, rather than
 * silently answering for the wrong tenant.
 */
export function resolveTenant(token: TokenRecord, requested: string | undefined): string | null {
  if (token.tenantId === null) return requested ?? null;
  if (requested !== undefined && requested !== token.tenantId) {
    throw new StitchError('STITCH_ERR_COLLECTOR_TENANT_FORBIDDEN');
  }
  return token.tenantId;
}
