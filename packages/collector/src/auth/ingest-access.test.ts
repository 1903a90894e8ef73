import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StitchError } from '@stitch/contract';
import { logsRequest, newTraceId, tracesRequest } from '../internal/otlp-json-builder.js';
import { decodeOtlp } from '../otlp/decode.js';
import type { DecodedBatch } from '../otlp/records.js';
import { authenticateIngest, pinBatchTenant } from './ingest-access.js';
import { TokenStore } from './token-store.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
let dir: string;
let tokens: TokenStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stitch-ingest-'));
  tokens = new TokenStore(join(dir, 'x.tokens.json'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function refusal(fn: () => unknown): string | null {
  try {
    fn();
    return null;
  } catch (err) {
    return err instanceof StitchError ? `${err.status} ${err.code}` : String(err);
  }
}

function decoded(signal: 'traces' | 'logs', body: object): DecodedBatch {
  const result = decodeOtlp(signal, 'json', Buffer.from(JSON.stringify(body)));
  if (!result.ok) throw new Error(result.detail);
  return result.batch;
}

describe('authenticateIngest', () => {
  it('looks at no token when off, checks a sent one when optional, and needs one when required', () => {
    const writer = tokens.create({ scopes: ['ingest:write'], tenantId: A });
    const reader = tokens.create({ scopes: ['traces:read'], tenantId: A });
    expect(authenticateIngest(tokens, 'off', 'Bearer stitch_garbage')).toBeNull();
    expect(authenticateIngest(tokens, 'optional', undefined)).toBeNull();
    expect(refusal(() => authenticateIngest(tokens, 'optional', 'Bearer stitch_garbage'))).toBe('401 STITCH_ERR_COLLECTOR_UNAUTHENTICATED');
    expect(refusal(() => authenticateIngest(tokens, 'required', undefined))).toBe('401 STITCH_ERR_COLLECTOR_UNAUTHENTICATED');
    expect(refusal(() => authenticateIngest(tokens, 'required', `Bearer ${reader.token}`))).toBe('403 STITCH_ERR_COLLECTOR_FORBIDDEN');
    expect(authenticateIngest(tokens, 'required', `Bearer ${writer.token}`)?.id).toBe(writer.id);
    expect(authenticateIngest(tokens, 'required', `Bearer ${tokens.create({ scopes: ['admin'], tenantId: null }).token}`)?.tenantId).toBeNull();
  });
});

describe('pinBatchTenant', () => {
  it('puts every span, event, link and log record under the token’s tenant, counting those that claimed another', () => {
    const traceId = newTraceId();
    const spans = decoded(
      'traces',
      tracesRequest('svc', [
        { traceId, name: 'claims B', startMillis: Date.now(), durationMillis: 1, attributes: { 'tenant.id': B }, events: [{ name: 'e', timeMillis: Date.now() }], links: [{ traceId: newTraceId(), spanId: 'ab'.repeat(8) }] },
        { traceId, name: 'claims A', startMillis: Date.now(), durationMillis: 1, attributes: { 'tenant.id': A } },
        { traceId, name: 'claims none', startMillis: Date.now(), durationMillis: 1 },
      ]),
    );
    expect(spans.spans.map((s) => s.tenantId)).toEqual([B, A, null]);
    expect(pinBatchTenant(spans, A)).toBe(1);
    expect([...spans.spans, ...spans.events, ...spans.links].map((r) => r.tenantId)).toEqual([A, A, A, A, A]);
    const logs = decoded('logs', logsRequest('svc', [{ timeMillis: Date.now(), body: 'b', attributes: { tenant_id: B } }]));
    expect(pinBatchTenant(logs, A)).toBe(1);
    expect(logs.logs[0]!.tenantId).toBe(A);
  });
});
