import { z } from 'zod';
import { DEFAULT_BAGGAGE_KEYS } from '../../core/propagation/baggage.js';
import { parseTrustedDestination } from './trusted-destinations.js';

/**
 * Options of HTTP out (section `httpOut` of the Stitch config). Every field has a default: all
 * outbound calls carry `traceparent`/`tracestate`; no destination receives baggage.
 */
export const HttpOutOptionsSchema = z.object({
  /** `false` installs nothing. */
  enabled: z.boolean().default(true),
  /** Trace the global `fetch` and the `undici` package (through undici's diagnostics channels). */
  fetch: z.boolean().default(true),
  /** Trace `node:http` and `node:https` `request()`/`get()`. */
  nodeHttp: z.boolean().default(true),
  /**
   * Destinations that receive W3C `baggage` with the tenant (and actor): host, `*.domain`,
   * `host:port` or an origin such as `https://billing.internal:8443`. Default: none.
   */
  trustedDestinations: z
    .array(z.string().refine((entry) => parseTrustedDestination(entry) !== undefined, 'use host, *.domain, host:port or an origin like https://host:port'))
    .default([]),
  /** Baggage keys sent to trusted destinations. `tenant.id` and `actor.id` come from the context. */
  baggageKeys: z
    .array(z.string().regex(/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/, 'a baggage key is an HTTP token'))
    .default([...DEFAULT_BAGGAGE_KEYS]),
});
export type HttpOutOptions = z.infer<typeof HttpOutOptionsSchema>;
export type HttpOutOptionsInput = z.input<typeof HttpOutOptionsSchema>;
