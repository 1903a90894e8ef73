import { LegacyAttr, SpanAttr } from '@stitch/contract';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newTraceId, postOtlpJson, tracesRequest } from '../internal/otlp-json-builder.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';
import { tableFor } from './engine-sql.js';
import { attributeCondition, type AttributeMatch } from './span-attribute-filter.js';

// Each condition runs in a WHERE on the collector's own engine (DuckDB, or ClickHouse in the
// clickhouse project): the SQL text differs per dialect, the spans it picks must not.
let c: TestCollector;

beforeAll(async () => {
  c = await startTestCollector();
  const traceId = newTraceId();
  const t = Date.now() - 1_000;
  const span = (name: string, attributes: Record<string, string>) => ({ traceId, name, startMillis: t, durationMillis: 1, attributes });
  const res = await postOtlpJson(
    c.url,
    'traces',
    tracesRequest('svc', [
      span('current', { [SpanAttr.queryName]: 'orders.by_id' }),
      span('older', { [LegacyAttr.queryName]: 'orders.by_id' }),
      span('other query', { [SpanAttr.queryName]: 'orders.list' }),
      span('bullmq', { [SpanAttr.messagingSystem]: 'bullmq' }),
      span('kafka', { [SpanAttr.messagingSystem]: 'kafka' }),
    ]),
  );
  expect(res.status).toBe(200);
});
afterAll(async () => {
  await c.stop();
});

async function matching(match: AttributeMatch): Promise<string[]> {
  const condition = attributeCondition(match, 'a', c.store.dialect);
  const rows = await c.store.query(`SELECT name FROM ${tableFor(c.store, 'spans')} WHERE ${condition.sql} ORDER BY name`, condition.params);
  return rows.map((r) => String(r.name));
}

describe('attributeCondition', () => {
  it('reads the query-name column for the current name and for the one older kernels wrote (issue 13)', async () => {
    const current = attributeCondition({ key: SpanAttr.queryName, value: 'orders.by_id' }, 'a', c.store.dialect);
    const older = attributeCondition({ key: LegacyAttr.queryName, value: 'orders.by_id' }, 'a', c.store.dialect);
    expect(current.sql).toContain('query_name');
    expect(older).toEqual(current);
    expect(await matching({ key: LegacyAttr.queryName, value: 'orders.by_id' })).toEqual(['current', 'older']);
  });

  it('reads any other key from the span’s attributes (DuckDB’s JSON, ClickHouse’s map), the key as a parameter', async () => {
    const match = { key: SpanAttr.messagingSystem, value: 'bullmq' };
    const condition = attributeCondition(match, 'a', c.store.dialect);
    expect(condition.sql).toContain(c.store.dialect === 'duckdb' ? 'attributes' : 'attribute_map');
    expect(condition.sql).not.toContain(match.key);
    expect(Object.values(condition.params).some((v) => v.includes(match.key))).toBe(true);
    expect(await matching(match)).toEqual(['bullmq']);
  });
});
