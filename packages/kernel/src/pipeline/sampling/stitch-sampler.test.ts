import { context, ROOT_CONTEXT, trace, TraceFlags } from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import { describe, expect, it } from 'vitest';
import { newTraceId } from '../../core/context/ids.js';
import { StitchSampler } from './stitch-sampler.js';

const TENANT = '6f1c7a52-0a9e-4b7e-9b1e-2f0a1c3d4e5f';
const base = { ratio: 1, parentBased: true, rules: [], recordUnsampled: true };
const decide = (sampler: StitchSampler, attributes = {}, ctx = ROOT_CONTEXT, traceId = newTraceId()) =>
  sampler.shouldSample(ctx, traceId, 'GET', 1, attributes).decision;
const remoteParent = (flags: number) =>
  trace.setSpanContext(ROOT_CONTEXT, { traceId: newTraceId(), spanId: 'aaaaaaaaaaaaaaaa', traceFlags: flags, isRemote: true });

describe('head sampler', () => {
  it('decides a root by trace id exactly as OpenTelemetry TraceIdRatioBasedSampler does, so services agree', () => {
    const ours = new StitchSampler({ ...base, ratio: 0.3 });
    const otel = new TraceIdRatioBasedSampler(0.3);
    for (let i = 0; i < 500; i += 1) {
      const traceId = newTraceId();
      const sampled = otel.shouldSample(context.active(), traceId).decision === SamplingDecision.RECORD_AND_SAMPLED;
      expect(decide(ours, {}, ROOT_CONTEXT, traceId)).toBe(sampled ? SamplingDecision.RECORD_AND_SAMPLED : SamplingDecision.RECORD);
    }
  });

  it('records (without sampling) what the head did not sample, so the tail can still keep it', () => {
    expect(decide(new StitchSampler({ ...base, ratio: 0 }))).toBe(SamplingDecision.RECORD);
    expect(decide(new StitchSampler({ ...base, ratio: 0, recordUnsampled: false }))).toBe(SamplingDecision.NOT_RECORD);
  });

  it('follows a remote parent: sampled stays sampled even at ratio 0, unsampled is recorded only', () => {
    const sampler = new StitchSampler({ ...base, ratio: 0 });
    expect(decide(sampler, {}, remoteParent(TraceFlags.SAMPLED))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(new StitchSampler(base), {}, remoteParent(TraceFlags.NONE))).toBe(SamplingDecision.RECORD);
  });

  it('ignores the parent when not parent-based (traceidratio, always_on)', () => {
    const sampler = new StitchSampler({ ...base, ratio: 1, parentBased: false });
    expect(decide(sampler, {}, remoteParent(TraceFlags.NONE))).toBe(SamplingDecision.RECORD_AND_SAMPLED);
  });

  it('applies the first matching rule by route and by tenant, else the default ratio', () => {
    const sampler = new StitchSampler({
      ...base,
      ratio: 0,
      rules: [
        { route: '/health', ratio: 0 },
        { route: '/internal/*', ratio: 0 },
        { tenant: TENANT, ratio: 1 },
        { route: '/checkout', ratio: 1 },
      ],
    });
    expect(decide(sampler, { 'http.route': '/checkout' })).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(sampler, { 'tenant.id': TENANT, 'http.route': '/invoices' })).toBe(SamplingDecision.RECORD_AND_SAMPLED);
    expect(decide(sampler, { 'tenant.id': TENANT, 'http.route': '/health' })).toBe(SamplingDecision.RECORD);
    expect(decide(sampler, { 'url.path': '/internal/metrics', 'tenant.id': TENANT })).toBe(SamplingDecision.RECORD);
    expect(decide(sampler, { 'http.route': '/invoices' })).toBe(SamplingDecision.RECORD);
  });
});
