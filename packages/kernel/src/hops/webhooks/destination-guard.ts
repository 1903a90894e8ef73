import { lookup as dnsLookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * SSRF guard for webhook destinations: a tenant-supplied URL must not reach the service's own
 * network. The check runs on the resolved addresses, and the connection is then pinned to the
 * address that was checked (see `deliverWebhook`), so a DNS answer that changes between check
 * and connect (rebinding) cannot swap in a private address.
 */

export type ForbiddenCategory =
  | 'unspecified'
  | 'loopback'
  | 'private'
  | 'link-local'
  | 'unique-local'
  | 'cgnat'
  | 'multicast'
  | 'reserved'
  | 'embedded-ipv4';

// IPv4-mapped IPv6 (::ffff:a.b.c.d) needs no rule of its own: BlockList matches it against
// the IPv4 rules (Node's documented behaviour, covered by a test).
const RANGES: readonly [ForbiddenCategory, string, number, 'ipv4' | 'ipv6'][] = [
  ['unspecified', '0.0.0.0', 8, 'ipv4'],
  ['unspecified', '::', 128, 'ipv6'],
  ['loopback', '127.0.0.0', 8, 'ipv4'],
  ['loopback', '::1', 128, 'ipv6'],
  ['private', '10.0.0.0', 8, 'ipv4'],
  ['private', '172.16.0.0', 12, 'ipv4'],
  ['private', '192.168.0.0', 16, 'ipv4'],
  ['link-local', '169.254.0.0', 16, 'ipv4'],
  ['link-local', 'fe80::', 10, 'ipv6'],
  ['unique-local', 'fc00::', 7, 'ipv6'],
  ['unique-local', 'fec0::', 10, 'ipv6'], // deprecated site-local, still routed inside some networks
  ['cgnat', '100.64.0.0', 10, 'ipv4'],
  ['multicast', '224.0.0.0', 4, 'ipv4'],
  ['multicast', 'ff00::', 8, 'ipv6'],
  ['reserved', '192.0.0.0', 24, 'ipv4'],
  ['reserved', '198.18.0.0', 15, 'ipv4'],
  ['reserved', '240.0.0.0', 4, 'ipv4'], // includes 255.255.255.255
  // Prefixes that embed an IPv4 address a gateway may translate to (NAT64, 6to4, the
  // deprecated IPv4-compatible form): refused whole rather than decoded.
  ['embedded-ipv4', '64:ff9b::', 96, 'ipv6'],
  ['embedded-ipv4', '64:ff9b:1::', 48, 'ipv6'],
  ['embedded-ipv4', '2002::', 16, 'ipv6'],
  ['embedded-ipv4', '::', 96, 'ipv6'],
];

const FORBIDDEN = new Map<ForbiddenCategory, BlockList>();
for (const [category, network, prefix, family] of RANGES) {
  let list = FORBIDDEN.get(category);
  if (list === undefined) {
    list = new BlockList();
    FORBIDDEN.set(category, list);
  }
  list.addSubnet(network, prefix, family);
}

/** Which forbidden range holds `address`, or `undefined` for a public address. */
export function forbiddenCategory(address: string): ForbiddenCategory | undefined {
  const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  for (const [category, list] of FORBIDDEN) if (list.check(address, family)) return category;
  return undefined;
}

/** Networks explicitly allowed despite the rules, as CIDRs: `['127.0.0.1/32', '::1/128']`. */
export function allowList(cidrs: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of cidrs) {
    const [network = '', prefix] = cidr.split('/');
    const family = isIP(network) === 6 ? 'ipv6' : 'ipv4';
    list.addSubnet(network, prefix === undefined ? (family === 'ipv6' ? 128 : 32) : Number(prefix), family);
  }
  return list;
}

export type DestinationCheck =
  | { readonly ok: true; readonly address: string; readonly family: 4 | 6 }
  | { readonly ok: false; readonly reason: 'invalid_url' | 'dns_failed'; readonly detail: string }
  | { readonly ok: false; readonly reason: 'forbidden_address'; readonly address: string; readonly category: ForbiddenCategory };

export interface DestinationOptions {
  readonly allow?: BlockList;
  /** DNS resolution, replaceable for tests of rebinding; `dns.lookup` (all addresses) by default. */
  readonly resolve?: (hostname: string) => Promise<readonly { address: string; family: number }[]>;
}

/**
 * Resolves a webhook URL's host and checks every address it resolves to. Any forbidden address
 * (not in `allow`) refuses the destination, even beside public ones: a name that can point
 * inside must not be used at all. On success, the address to pin the connection to.
 *
 * @example
 *   const check = await checkDestination(new URL(endpoint.url), { allow: allowList(['127.0.0.1/32']) });
 *   if (!check.ok) return recordRefusal(check);
 */
export async function checkDestination(url: URL, options: DestinationOptions = {}): Promise<DestinationCheck> {
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: 'invalid_url', detail: `scheme ${url.protocol}` };
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  let addresses: readonly { address: string; family: number }[];
  if (isIP(hostname) !== 0) {
    addresses = [{ address: hostname, family: isIP(hostname) }];
  } else {
    try {
      addresses = await (options.resolve ?? defaultResolve)(hostname);
    } catch (error) {
      return { ok: false, reason: 'dns_failed', detail: error instanceof Error ? error.message : String(error) };
    }
    if (addresses.length === 0) return { ok: false, reason: 'dns_failed', detail: `${hostname}: no address` };
  }
  for (const { address } of addresses) {
    const category = forbiddenCategory(address);
    if (category === undefined) continue;
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (options.allow?.check(address, family) === true) continue;
    return { ok: false, reason: 'forbidden_address', address, category };
  }
  const first = addresses[0] as { address: string; family: number };
  return { ok: true, address: first.address, family: first.family === 6 ? 6 : 4 };
}

function defaultResolve(hostname: string): Promise<{ address: string; family: number }[]> {
  return dnsLookup(hostname, { all: true, verbatim: true });
}
