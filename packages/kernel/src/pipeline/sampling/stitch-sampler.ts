import { trace } from '@opentelemetry/api';
import type { Attributes, Context } from '@opentelemetry/api';
import { SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { Sampler, SamplingResult } from '@opentelemetry/sdk-trace-base';
import { SpanAttr } from '@stitch/contract';
import { getScope } from '../../core/context/context-store.js';
import type { SamplingOptions, SamplingRule } from '../../core/tracing/tracing-options.js';
import { localTraceOf } from './local-trace.js';

const SAMPLED: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD_AND_SAMPLED });
const RECORD: SamplingResult = Object.freeze({ decision: SamplingDecision.RECORD });
const DROP: SamplingResult = Object.freeze({ decision: SamplingDecision.NOT_RECORD });

export interface StitchSamplerOptions {
  readonly ratio: number;
  readonly parentBased: boolean;
  readonly rules: readonly SamplingRule[];
  /**
   * Record (without sampling) what the head did not sample, so the tail sampler can still keep
   * it on an error, a budget violation or a security mark. Off: head-unsampled is not recorded.
   */
  readonly recordUnsampled: boolean;
  /**
   * Span observers (metrics) are listening: a root or remote-parented span the head does not
   * sample is RECORDed anyway when `recordUnsampled` is off, so metrics count every request,
   * job attempt, event and webhook attempt at any ratio. Only that local root is recorded (its
   * children are dropped, as before), and the pipeline lets no such span reach an exporter
   * (`SampledOnlyProcessor`). Asked per span, so observers added later are honoured.
   */
  readonly observed?: { readonly active: boolean };
}

/**
 * The head sampler: OpenTelemetry's parent-based + trace-id-ratio semantics (the ratio test is
 * `TraceIdRatioBasedSampler`'s, so every service using OpenTelemetry agrees on a trace id),
 * with rules by route and tenant for root spans, first match wins.
 *
 * Where it differs, on purpose (docs/sampling.md):
 * - a head-unsampled root or remote-unsampled child is RECORDed (sampled flag off), so the tail
 *   sampler has spans to keep if the trace turns out to matter;
 * - a child of a local trace the tail has already decided to keep (an error, a violation, a
 *   security mark happened earlier) is sampled, so calls made from then on propagate
 *   `sampled=1` downstream.
 *
 * @example
 *   new StitchSampler({ ratio: 0.1, parentBased: true, rules: [{ route: '/health', ratio: 0 }], recordUnsampled: true })
 */
export class StitchSampler implements Sampler {
  private readonly notSampled: SamplingResult;
  private readonly observed: { readonly active: boolean } | undefined;
  private readonly defaultRatio: RatioTest;
  private readonly ruleRatios: readonly RatioTest[];

  constructor(private readonly options: StitchSamplerOptions) {
    this.notSampled = options.recordUnsampled ? RECORD : DROP;
    this.observed = options.recordUnsampled ? undefined : options.observed;
    this.defaultRatio = ratioTest(options.ratio);
    this.ruleRatios = options.rules.map((rule) => ratioTest(rule.ratio));
  }

  shouldSample(ctx: Context, traceId: string, _name: string, _kind: unknown, attributes: Attributes): SamplingResult {
    const parentSpan = trace.getSpan(ctx);
    const parent = parentSpan?.spanContext();
    if (parent !== undefined && this.options.parentBased && trace.isSpanContextValid(parent)) {
      if ((parent.traceFlags & 1) === 1) return SAMPLED;
      if (parent.isRemote === true) return this.unsampledRoot();
      // Local, unsampled parent: record only while it is itself recorded by the tail sampler.
      const local = localTraceOf(parentSpan);
      if (local === undefined || !parentSpan!.isRecording()) return DROP;
      return local.keepReason === undefined ? this.notSampled : SAMPLED;
    }
    const ratio = this.ratioFor(ctx, attributes);
    // Ratios 1 and 0 need no arithmetic on the trace id (the common production settings).
    if (ratio === ALWAYS) return SAMPLED;
    if (ratio === NEVER) return this.unsampledRoot();
    return ratio.shouldSample(ctx, traceId).decision === SamplingDecision.RECORD_AND_SAMPLED ? SAMPLED : this.unsampledRoot();
  }

  /** The local root of work the head does not sample: recorded for the tail sampler or the observers, else dropped. */
  private unsampledRoot(): SamplingResult {
    return this.observed?.active === true ? RECORD : this.notSampled;
  }

  /** Whether head-unsampled spans are recorded for the tail sampler (else only for observers, never exported). */
  get recordsUnsampled(): boolean {
    return this.options.recordUnsampled;
  }

  private ratioFor(ctx: Context, attributes: Attributes): RatioTest {
    const rules = this.options.rules;
    if (rules.length === 0) return this.defaultRatio;
    const route = attributes[SpanAttr.routeId] ?? attributes['url.path'];
    const tenant = attributes[SpanAttr.tenantId] ?? getScope(ctx)?.tenantId;
    for (let i = 0; i < rules.length; i += 1) {
      const rule = rules[i]!;
      if (rule.route !== undefined && !routeMatches(rule.route, route)) continue;
      if (rule.tenant !== undefined && rule.tenant !== tenant) continue;
      return this.ruleRatios[i]!;
    }
    return this.defaultRatio;
  }

  toString(): string {
    return `StitchSampler{ratio=${this.options.ratio}, parentBased=${this.options.parentBased}, rules=${this.options.rules.length}}`;
  }
}

const ALWAYS = Symbol('ratio 1');
const NEVER = Symbol('ratio 0');
type RatioTest = TraceIdRatioBasedSampler | typeof ALWAYS | typeof NEVER;

function ratioTest(ratio: number): RatioTest {
  if (ratio >= 1) return ALWAYS;
  if (ratio <= 0) return NEVER;
  return new TraceIdRatioBasedSampler(ratio);
}

/** `pattern` matches exactly, or as a prefix when it ends in `*` (`/internal/*`). */
function routeMatches(pattern: string, route: unknown): boolean {
  if (typeof route !== 'string') return false;
  return pattern.endsWith('*') ? route.startsWith(pattern.slice(0, -1)) : route === pattern;
}

/** The head sampler for a validated `tracing.sampling` section. */
export function createHeadSampler(options: SamplingOptions, observed?: { readonly active: boolean }): StitchSampler {
  return new StitchSampler({
    ...(observed !== undefined && { observed }),
    ratio: options.ratio,
    parentBased: options.parentBased,
    rules: options.rules,
    // `always_off` (not parent-based, ratio 0, no rule) asks for no tracing at all: record nothing.
    recordUnsampled: options.tail.enabled && !(options.parentBased === false && options.ratio === 0 && options.rules.length === 0),
  });
}
