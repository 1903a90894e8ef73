import { z } from 'zod';

/** Options of sampling, export and budgets (section `tracing` of the Stitch config). Every field has a default. */
export const TracingOptionsSchema = z.object({
  /** Head sampling ratio for root spans, 0..1 (OTEL_TRACES_SAMPLER_ARG). */
  sampleRatio: z.number().min(0).max(1).default(1),
});
export type TracingOptions = z.infer<typeof TracingOptionsSchema>;
