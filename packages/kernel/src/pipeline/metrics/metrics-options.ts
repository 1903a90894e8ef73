import { z } from 'zod';
import type { OutboxLag } from '../../hops/outbox/outbox.js';
import type { OutboxRelayStats } from '../../hops/outbox/outbox-relay.js';
import type { JobStats } from '../../hops/jobs/job-counts.js';
import type { Stitch } from '../../setup/create-stitch.js';
import type { StitchHandle } from '../../setup/start-stitch.js';
import type { DEFAULT_BOUNDS } from './metric-catalogue.js';
import type { TenantLabelOptions } from './tenant-label.js';

/** A pg `Pool`'s counters (structural: the kernel does not load pg for this). */
export interface PoolCounts {
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

/** Readiness as the health module answers it (structural, so metrics need not load health). */
export interface ReadinessSource {
  check(): Promise<{ readonly ready: boolean; readonly checks: readonly { readonly name: string; readonly status: string }[] }>;
}

export interface CreateMetricsOptions {
  /**
   * The running kernel: its `stats()` feed the sampling, export, budget and log series, and its
   * spans the histograms. Without `tracing.observeSpans` (a hand-made `{ stats }`), the spans are
   * those of the kernel running when createMetrics is called (startStitch, or stitchSdkOptions).
   */
  readonly stitch: Pick<Stitch, 'stats'> & { readonly tracing?: Pick<StitchHandle, 'observeSpans'> };
  /** Per-label bounds (defaults in docs/metrics.md). */
  readonly bounds?: Partial<typeof DEFAULT_BOUNDS>;
  /** Tenant as a label of `http_server_request_duration_seconds`: off unless given. */
  readonly tenants?: TenantLabelOptions;
  /** The outbox, for the unsent count and oldest unsent age (one query per scrape). */
  readonly outbox?: { lag(): Promise<OutboxLag> };
  /** The outbox relays of this process, for `stitch_outbox_relayed_events_total`. */
  readonly relays?: readonly { stats(): OutboxRelayStats }[];
  /** The jobs of this process (createJobs()), for enqueued jobs and attempts by job name. */
  readonly jobs?: readonly { stats(): JobStats }[];
  /** The webhooks (createWebhooks()), for the retry backlog (one query per collection). */
  readonly webhooks?: { backlog(): Promise<{ pending: number; retrying: number }> };
  /** pg pools by name, for `stitch_db_pool_connections`. */
  readonly pools?: Readonly<Record<string, PoolCounts>>;
  /** The service's health, for `stitch_ready`. */
  readonly health?: ReadinessSource;
  /** Histogram buckets in seconds; OpenTelemetry's HTTP advice by default. */
  readonly bucketsSeconds?: readonly number[];
}

/** `true` where the caller passed an object with the method the kernel calls (see `refShape`). */
export const Ref = (what: string) => z.literal(true, `expected ${what}`);

export const OptionsSchema = z.object({
  stitch: Ref('a running Stitch (createStitch())'),
  bounds: z
    .object({ routes: z.number().int().positive(), queries: z.number().int().positive(), hosts: z.number().int().positive(), jobs: z.number().int().positive(), consumers: z.number().int().positive(), eventTypes: z.number().int().positive() })
    .partial()
    .strict()
    .optional(),
  tenants: z.union([z.object({ allow: z.array(z.string()) }).strict(), z.object({ top: z.number().int().positive() }).strict()]).optional(),
  outbox: Ref('an outbox (createOutbox())').optional(),
  relays: z.array(Ref('an outbox relay (createOutboxRelay())')).optional(),
  jobs: z.array(Ref('jobs (createJobs())')).optional(),
  webhooks: Ref('webhooks (createWebhooks())').optional(),
  pools: z.record(z.string(), Ref('a pg Pool')).optional(),
  health: Ref('a health (createHealth())').optional(),
  bucketsSeconds: z.array(z.number().positive()).optional(),
});

export const has = (value: unknown, key: string, type: string): boolean => typeof (value as Record<string, unknown> | null | undefined)?.[key] === type;

/**
 * The options with each live object (the kernel, the outbox, pools, the health) replaced by
 * whether it looks right: parseOptions deep-freezes what it returns, and must never freeze a
 * caller's running objects.
 */
export function refShape(input: CreateMetricsOptions): Record<string, unknown> {
  const shape: Record<string, unknown> = { ...(input as unknown as Record<string, unknown>) };
  shape.stitch = has(input?.stitch, 'stats', 'function');
  if (input?.outbox !== undefined) shape.outbox = has(input.outbox, 'lag', 'function');
  if (input?.webhooks !== undefined) shape.webhooks = has(input.webhooks, 'backlog', 'function');
  if (input?.health !== undefined) shape.health = has(input.health, 'check', 'function');
  if (Array.isArray(input?.jobs)) shape.jobs = input.jobs.map((j) => has(j, 'stats', 'function'));
  if (Array.isArray(input?.relays)) shape.relays = input.relays.map((r) => has(r, 'stats', 'function'));
  if (input?.pools !== undefined) shape.pools = Object.fromEntries(Object.entries(input.pools).map(([k, p]) => [k, has(p, 'totalCount', 'number')]));
  return shape;
}

/** OpenTelemetry's advised buckets for http.server.request.duration (semconv), in seconds. */
export const OTEL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
