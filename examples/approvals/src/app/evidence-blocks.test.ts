import { describe, expect, it } from 'vitest';
import { checkEvidence } from './evidence-blocks.js';
import type { Evidence } from './evidence-blocks.js';

const TRACE = '5cf7fac1723b5de205cfdda7c0cf4382';
const SLOW = '839ebd2fce311a1733ac4e210b00a1e6';
const TENANT = 'a1000000-0000-4000-8000-0000000000a1';
const comment = (trace: string) => `SELECT 1 /*tenant_id='${TENANT}',traceparent='00-${trace}-3a774ec1431e5646-01'*/`;

const certified: Evidence = {
  edge: { status: 200, traceId: TRACE, tenantId: TENANT, source: 'response' },
  audit: { rows: [{ id: 'a1', trace_id: TRACE, tenant_id: TENANT }], source: 'audit' },
  outbox: { rows: [{ id: 'ev1', trace_id: TRACE, traceparent: `00-${TRACE}-db2282cfe30d1650-03` }], source: 'outbox' },
  deliveries: { rows: [{ id: 'msg1', event_id: 'ev1', trace_id: TRACE, tenant_id: TENANT }], source: 'deliveries' },
  statements: { texts: [comment(TRACE)], source: 'engine' },
  violation: { traceId: SLOW, lines: [{ perf_violation: true, trace_id: SLOW, tenant_id: TENANT, observed_ms: 664.8, budget_ms: 500 }], source: 'logs' },
};

describe('checkEvidence (npm run evidence fails on what it finds)', () => {
  it('certifies blocks that all carry the edge’s trace id and tenant', () => {
    expect(checkEvidence(certified)).toEqual([]);
  });

  it('fails without a valid x-trace-id, whatever the other blocks say', () => {
    expect(checkEvidence({ ...certified, edge: { ...certified.edge, traceId: null } })).toEqual([expect.stringContaining('[A]')]);
  });

  it('fails when a block is missing', () => {
    expect(checkEvidence({ ...certified, audit: { ...certified.audit, rows: [] } })).toEqual(['[B] no audit row has the trace id']);
    expect(checkEvidence({ ...certified, deliveries: { ...certified.deliveries, rows: [] } })).toEqual(['[C] no webhook delivery record has the trace id']);
    expect(checkEvidence({ ...certified, statements: { ...certified.statements, texts: [] } })).toEqual(['[D] the database received no statement with the trace comment']);
    expect(checkEvidence({ ...certified, violation: { ...certified.violation, lines: [{ msg: 'over budget' }] } })).toEqual(['[E] no perf_violation line for the request over its budget']);
  });

  it('fails when a block disagrees with the others: another trace, another tenant, another event, no breach', () => {
    const other = 'ffffffffffffffffffffffffffffffff';
    expect(checkEvidence({ ...certified, deliveries: { ...certified.deliveries, rows: [{ id: 'msg1', event_id: 'ev2', trace_id: TRACE, tenant_id: TENANT }] } })).toEqual([
      expect.stringContaining('is for event ev2'),
    ]);
    expect(checkEvidence({ ...certified, audit: { ...certified.audit, rows: [{ id: 'a1', trace_id: TRACE, tenant_id: 'b2000000-0000-4000-8000-0000000000b2' }] } })).toEqual([
      expect.stringContaining('[B] audit row a1 is tenant b2000000'),
    ]);
    expect(checkEvidence({ ...certified, statements: { ...certified.statements, texts: [comment(other)] } })).toEqual([expect.stringContaining("[D] a statement's comment names another trace")]);
    expect(checkEvidence({ ...certified, violation: { ...certified.violation, lines: [{ perf_violation: true, trace_id: other, tenant_id: TENANT, observed_ms: 700, budget_ms: 500 }] } })).toEqual([
      expect.stringContaining(`[E] the perf_violation line has trace ${other}`),
    ]);
    expect(checkEvidence({ ...certified, violation: { ...certified.violation, lines: [{ perf_violation: true, trace_id: SLOW, tenant_id: TENANT, observed_ms: 12, budget_ms: 500 }] } })).toEqual([
      expect.stringContaining('does not show a breach'),
    ]);
  });
});
