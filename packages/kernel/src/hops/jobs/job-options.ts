import { z } from 'zod';

/** Per-job settings; every field has a default, and `byName` overrides them per job name. */
export const JobSettingsSchema = z.object({
  /** Total attempts, the first included. */
  attempts: z.number().int().min(1).max(100).default(3),
  /** First retry delay; each later one doubles (the engine's exponential backoff). */
  backoffMillis: z.number().int().min(0).default(1_000),
  /** Attempts of this job run at once per worker. */
  concurrency: z.number().int().min(1).max(1_000).default(1),
  /**
   * Start a new trace per run, linked to the enqueuing span, instead of continuing the
   * request's trace: for delayed and recurring jobs, which would otherwise stretch one trace
   * over hours. The run record keeps the originating trace and request either way.
   */
  newTrace: z.boolean().default(false),
});
export type JobSettings = z.infer<typeof JobSettingsSchema>;

/** Section `jobs` of the Stitch config. */
export const JobsOptionsSchema = z.object({
  defaults: JobSettingsSchema.prefault({}),
  byName: z.record(z.string().min(1), JobSettingsSchema.partial()).default({}),
  /** Schema of the run records table when they live in SQL. */
  runSchema: z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/).default('stitch'),
});
export type JobsOptions = z.infer<typeof JobsOptionsSchema>;
export type JobsOptionsInput = z.input<typeof JobsOptionsSchema>;
