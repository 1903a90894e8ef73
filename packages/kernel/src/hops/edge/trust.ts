import { createHash, timingSafeEqual } from 'node:crypto';
import { BlockList, isIP } from 'node:net';
import type { IncomingHttpHeaders } from 'node:http';
import type { EdgeOptions } from './edge-options.js';

/** One parsed CIDR (a single address is a /32 or /128). */
export interface Cidr {
  readonly address: string;
  readonly prefix: number;
  readonly family: 'ipv4' | 'ipv6';
}

/**
 * Parses `10.0.0.0/8`, `::1/128` or a bare address; `undefined` when it is neither.
 *
 * @example
 *   parseCidr('10.0.0.0/8'); // { address: '10.0.0.0', prefix: 8, family: 'ipv4' }
 */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const version = isIP(address);
  if (version === 0) return undefined;
  const max = version === 4 ? 32 : 128;
  let prefix = max;
  if (slash !== -1) {
    const digits = text.slice(slash + 1);
    if (!/^\d{1,3}$/.test(digits)) return undefined;
    prefix = Number(digits);
    if (prefix > max) return undefined;
  }
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' };
}

const MAX_CACHED_DECISIONS = 1024;

/** Decides, per request, whether the caller is a trusted upstream. */
export type TrustPolicy = (remoteAddress: string | undefined, headers: IncomingHttpHeaders) => boolean;

/**
 * Compiles the trust options once: the CIDRs into a `net.BlockList` (which also matches
 * IPv4-mapped IPv6 peers such as `::ffff:127.0.0.1` against IPv4 rules), and the shared
 * secret into a digest compared in constant time.
 *
 * @example
 *   const isTrusted = createTrustPolicy(EdgeOptionsSchema.parse({ trustedUpstreams: ['10.0.0.0/8'] }));
 *   isTrusted(req.socket.remoteAddress, req.headers);
 */
export function createTrustPolicy(options: EdgeOptions): TrustPolicy {
  const addresses = new BlockList();
  for (const entry of options.trustedUpstreams) {
    const cidr = parseCidr(entry);
    if (cidr !== undefined) addresses.addSubnet(cidr.address, cidr.prefix, cidr.family);
  }
  const hasAddresses = options.trustedUpstreams.length > 0;
  // BlockList.check() builds a SocketAddress per call (~10 µs on the request path); a server
  // sees few distinct peers (its proxies, its clients), so the decision is kept per address.
  const decisions = new Map<string, boolean>();
  const byAddress = (remoteAddress: string | undefined): boolean => {
    if (!hasAddresses || remoteAddress === undefined) return false;
    const known = decisions.get(remoteAddress);
    if (known !== undefined) return known;
    const version = isIP(remoteAddress);
    const decision = version !== 0 && addresses.check(remoteAddress, version === 4 ? 'ipv4' : 'ipv6');
    // Bounded: many distinct clients (a public endpoint) must not grow it without end.
    if (decisions.size >= MAX_CACHED_DECISIONS) decisions.clear();
    decisions.set(remoteAddress, decision);
    return decision;
  };

  const secret = options.trustedSecretHeader;
  if (secret === undefined) {
    return options.trustRequiresBoth ? () => false : (remoteAddress) => byAddress(remoteAddress);
  }
  // Comparing digests keeps the comparison constant-time whatever the presented length is.
  const expected = digest(secret.value);
  const bySecret = (headers: IncomingHttpHeaders): boolean => {
    const presented = headers[secret.name];
    return typeof presented === 'string' && timingSafeEqual(digest(presented), expected);
  };
  return options.trustRequiresBoth
    ? (remoteAddress, headers) => byAddress(remoteAddress) && bySecret(headers)
    : (remoteAddress, headers) => byAddress(remoteAddress) || bySecret(headers);
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
