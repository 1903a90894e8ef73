import type { DecodedBatch } from '../otlp/records.js';
import { authenticate, requireScope } from './access.js';
import type { TokenRecord, TokenStore } from './token-store.js';

/**
 * Whether OTLP ingest needs a token (`ingestAuth` in the collector config):
 * - `off` (default): no token is looked at, as before tokens could write;
 * - `optional`: a request without Authorization is accepted as before, one with a token must
 *   carry a valid `ingest:write` token, whose tenant then applies (for moving senders one by one);
 * - `required`: every request needs a valid `ingest:write` token.
 */
export const INGEST_AUTH_MODES = ['off', 'optional', 'required'] as const;
export type IngestAuthMode = (typeof INGEST_AUTH_MODES)[number];

/**
 * The ingest token of an OTLP request, or null when none is needed and none was sent. Throws
 * the 401/403 StitchError to answer with otherwise.
 *
 * @example const token = authenticateIngest(tokens, config.ingestAuth, request.headers.authorization);
 */
export function authenticateIngest(tokens: TokenStore, mode: IngestAuthMode, header: string | string[] | undefined): TokenRecord | null {
  if (mode === 'off' || (mode === 'optional' && header === undefined)) return null;
  const token = authenticate(tokens, header);
  requireScope(token, 'ingest:write');
  return token;
}

/**
 * Stores everything of a batch under the token's tenant, whatever its records claim: a
 * tenant-bound ingest token can write for its own tenant only. Returns how many records claimed
 * another tenant, so the caller can decide not to pass the original body on.
 */
export function pinBatchTenant(batch: DecodedBatch, tenantId: string): number {
  let changed = 0;
  for (const rows of [batch.spans, batch.logs]) {
    for (const row of rows) {
      if (row.tenantId !== null && row.tenantId !== tenantId) changed += 1;
      row.tenantId = tenantId;
    }
  }
  for (const row of batch.events) row.tenantId = tenantId;
  for (const row of batch.links) row.tenantId = tenantId;
  return changed;
}
