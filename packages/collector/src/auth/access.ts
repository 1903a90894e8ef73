import type { TokenScope } from '@stitch/contract';
import { CollectorError } from '../errors/collector-error.js';
import type { TokenRecord } from './token-store.js';

/**
 * What a request may see, resolved once from its token. Every question takes one of these and
 * nothing else decides tenancy: a tenant-bound token pins `tenantId`, whatever the query asked.
 */
export interface Access {
  token: TokenRecord;
  /** Non-null: every read is confined to this tenant. */
  tenantId: string | null;
}

/** Admin tokens may read everything; others only their own scope. */
export function requireScope(token: TokenRecord, scope: TokenScope): void {
  if (token.scope === scope || token.scope === 'admin') return;
  throw new CollectorError('STITCH_ERR_COLLECTOR_FORBIDDEN', { scope });
}

/**
 * Resolves the tenant a query runs for. A tenant-bound token is always confined to its own
 * tenant; naming another one explicitly is refused (403) so a script notices, rather than
 * silently answering for the wrong tenant.
 */
export function resolveTenant(token: TokenRecord, requested: string | undefined): string | null {
  if (token.tenantId === null) return requested ?? null;
  if (requested !== undefined && requested !== token.tenantId) {
    throw new CollectorError('STITCH_ERR_COLLECTOR_TENANT_FORBIDDEN');
  }
  return token.tenantId;
}
