import { z } from 'zod';
import { parseCidr } from './trust.js';

// RFC 9110 §5.6.2 token: what a header name may be.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/**
 * Options of the HTTP edge (section `edge` of the Stitch config). Owned by the edge adapters;
 * the config loader composes it. Every field has a default.
 *
 * An upstream is trusted — its `traceparent`/`tracestate`, `x-trace-id` and `x-request-id`
 * are continued — when its socket address is in `trustedUpstreams` or it sends the shared
 * secret header (with `trustRequiresBoth`: both). Anyone else starts a new trace. The socket
 * address is the peer's, never `X-Forwarded-For`: behind a proxy, list the proxy.
 */
export const EdgeOptionsSchema = z.object({
  /** CIDRs (`10.0.0.0/8`, `::1/128`) or single addresses whose trace headers are continued. Default: loopback only. */
  trustedUpstreams: z
    .array(z.string().refine((value) => parseCidr(value) !== undefined, 'an IPv4 or IPv6 address or CIDR, e.g. 10.0.0.0/8'))
    .default(['127.0.0.0/8', '::1/128']),
  /** A header an upstream proves itself with, e.g. `{ name: 'x-stitch-upstream', value: '<32 random chars>' }`. */
  trustedSecretHeader: z
    .object({
      name: z
        .string()
        .regex(HEADER_NAME, 'an HTTP header name')
        .transform((name) => name.toLowerCase()),
      value: z.string().min(16, 'a shared secret of at least 16 characters'),
    })
    .optional(),
  /** `true`: an upstream needs both a trusted address and the secret header. */
  trustRequiresBoth: z.boolean().default(false),
});

/** The edge options after validation and defaults. */
export type EdgeOptions = z.infer<typeof EdgeOptionsSchema>;
/** The edge options as a user writes them (every field optional). */
export type EdgeOptionsInput = z.input<typeof EdgeOptionsSchema>;
