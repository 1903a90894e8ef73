import { describe, expect, it } from 'vitest';
import { RequestIdSchema } from '@stitch/contract';
import { newRequestId, newSpanId, newTraceId, newUnsampledSpanContext, withNextTraceId } from './ids.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('ids', () => {
  it('request ids are distinct UUID v4s that RequestIdSchema accepts, all four variant digits drawn', () => {
    const ids = Array.from({ length: 20_000 }, () => newRequestId());
    for (const id of ids) {
      expect(id).toMatch(UUID_V4);
      expect(RequestIdSchema.safeParse(id).success).toBe(true);
    }
    expect(new Set(ids).size).toBe(ids.length);
    expect(new Set(ids.map((id) => id[19]))).toEqual(new Set(['8', '9', 'a', 'b']));
  });

  it('trace and span ids are lowercase hex of their lengths, distinct, across many pool refills', () => {
    const contexts = Array.from({ length: 5_000 }, () => newUnsampledSpanContext());
    const traceIds = [...contexts.map((c) => c.traceId), ...Array.from({ length: 5_000 }, () => newTraceId())];
    const spanIds = [...contexts.map((c) => c.spanId), ...Array.from({ length: 5_000 }, () => newSpanId())];
    for (const id of traceIds) expect(id).toMatch(/^[0-9a-f]{32}$/);
    for (const id of spanIds) expect(id).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(traceIds).size).toBe(traceIds.length);
    expect(new Set(spanIds).size).toBe(spanIds.length);
    expect(contexts.every((c) => c.traceFlags === 0)).toBe(true);
  });

  it('a preset trace id is the next trace id, also of a new span context', () => {
    const preset = '0af7651916cd43dd8448eb211c80319c';
    expect(withNextTraceId(preset, () => newUnsampledSpanContext().traceId)).toBe(preset);
    expect(newUnsampledSpanContext().traceId).not.toBe(preset);
  });
});
