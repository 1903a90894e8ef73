import { describe, expect, it } from 'vitest';
import type { TokenScope } from '@stitch/contract';
import { StitchError } from '@stitch/contract';
import { hasScope, requirePlatformAdmin, requireScope } from './access.js';
import type { TokenRecord } from './token-store.js';

const A = '11111111-1111-4111-8111-111111111111';

function token(scopes: TokenScope[], tenantId: string | null = A): TokenRecord {
  return { id: 't1', hash: '0'.repeat(64), name: null, scopes, tenantId, createdAt: '2026-01-01T00:00:00.000Z', expiresAt: null };
}

function refusal(fn: () => void): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof StitchError ? err.code : String(err);
  }
}

describe('requireScope', () => {
  it('lets a token with several scopes do what each of them allows, and nothing else', () => {
    const both = token(['traces:read', 'logs:read']);
    expect(refusal(() => requireScope(both, 'traces:read'))).toBeNull();
    expect(refusal(() => requireScope(both, 'logs:read'))).toBeNull();
    expect(refusal(() => requireScope(both, 'admin'))).toBe('STITCH_ERR_COLLECTOR_FORBIDDEN');
    expect(refusal(() => requireScope(token(['logs:read']), 'traces:read'))).toBe('STITCH_ERR_COLLECTOR_FORBIDDEN');
  });

  it('treats admin as every scope', () => {
    const admin = token(['admin'], null);
    for (const scope of ['traces:read', 'logs:read', 'admin'] as const) expect(hasScope(admin, scope)).toBe(true);
  });
});

describe('requirePlatformAdmin', () => {
  it('refuses a non-admin token and an admin token bound to a tenant', () => {
    expect(refusal(() => requirePlatformAdmin(token(['admin'], null)))).toBeNull();
    expect(refusal(() => requirePlatformAdmin(token(['traces:read', 'logs:read'], null)))).toBe('STITCH_ERR_COLLECTOR_FORBIDDEN');
    expect(refusal(() => requirePlatformAdmin(token(['admin'], A)))).toBe('STITCH_ERR_COLLECTOR_FORBIDDEN');
  });
});
