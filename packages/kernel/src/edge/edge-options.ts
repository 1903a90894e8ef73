import { z } from 'zod';

/**
 * Options of the HTTP edge (section `edge` of the Stitch config). Owned by the edge adapters;
 * the config loader composes it. Every field has a default.
 */
export const EdgeOptionsSchema = z.object({
  /** CIDRs whose traceparent/x-trace-id are continued. Default: loopback only. */
  trustedUpstreams: z.array(z.string()).default(['127.0.0.0/8', '::1/128']),
});
export type EdgeOptions = z.infer<typeof EdgeOptionsSchema>;
