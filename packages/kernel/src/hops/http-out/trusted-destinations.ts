/**
 * The allow-list of destinations that may receive tenant baggage. Entries:
 *
 * - `api.internal` — that host, any scheme and port;
 * - `*.internal.example` — any subdomain of it (not the bare domain);
 * - `api.internal:8443` — that host and port, any scheme;
 * - `https://api.internal` or `https://api.internal:8443` — that origin exactly (scheme, host,
 *   port; the scheme's default port when none is written).
 *
 * Host names compare case-insensitively; IPv6 literals are written in brackets (`[::1]:8080`).
 */

/** Where an outbound request goes. */
export interface Destination {
  readonly protocol: string;
  readonly hostname: string;
  readonly port: number;
}

type Matcher = (destination: Destination) => boolean;

const DEFAULT_PORTS: Readonly<Record<string, number>> = { 'http:': 80, 'https:': 443 };

/** The port a destination uses, its scheme's default when none is written. */
export function portOf(protocol: string, port: string): number {
  return port === '' ? (DEFAULT_PORTS[protocol] ?? 0) : Number(port);
}

function normalizeHost(host: string): string {
  const lower = host.toLowerCase();
  return lower.startsWith('[') && lower.endsWith(']') ? lower.slice(1, -1) : lower;
}

/** Compiles one entry, or returns `undefined` when it is not one of the forms above. */
export function parseTrustedDestination(entry: string): Matcher | undefined {
  const value = entry.trim();
  if (value === '') return undefined;
  if (value.includes('://')) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      return undefined;
    }
    if (url.pathname !== '/' || url.search !== '' || url.username !== '' || !(url.protocol in DEFAULT_PORTS)) return undefined;
    const protocol = url.protocol;
    const hostname = normalizeHost(url.hostname);
    const port = portOf(protocol, url.port);
    return (d) => d.protocol === protocol && normalizeHost(d.hostname) === hostname && d.port === port;
  }
  if (value.startsWith('*.')) {
    const suffix = value.slice(1).toLowerCase();
    if (!/^(\.[a-z0-9-]+)+$/.test(suffix)) return undefined;
    return (d) => normalizeHost(d.hostname).endsWith(suffix);
  }
  const hostPort = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::(\d{1,5}))?$/.exec(value);
  if (hostPort === null) return undefined;
  const hostname = normalizeHost(hostPort[1] as string);
  const port = hostPort[2] === undefined ? undefined : Number(hostPort[2]);
  return (d) => normalizeHost(d.hostname) === hostname && (port === undefined || d.port === port);
}

/**
 * One predicate for the whole list. Entries are validated by HttpOutOptionsSchema first; an
 * entry that does not compile here trusts nothing.
 *
 * @example
 *   const trusted = createTrustedDestinations(['https://billing.internal']);
 *   trusted({ protocol: 'https:', hostname: 'billing.internal', port: 443 }); // true
 */
export function createTrustedDestinations(entries: readonly string[]): (destination: Destination) => boolean {
  const matchers = entries.map(parseTrustedDestination).filter((m): m is Matcher => m !== undefined);
  if (matchers.length === 0) return () => false;
  return (destination) => matchers.some((match) => match(destination));
}
