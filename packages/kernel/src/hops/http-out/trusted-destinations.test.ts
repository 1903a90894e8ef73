import { describe, expect, it } from 'vitest';
import { createTrustedDestinations, parseTrustedDestination } from './trusted-destinations.js';

const at = (protocol: string, hostname: string, port: number) => ({ protocol, hostname, port });

describe('createTrustedDestinations()', () => {
  it('trusts nothing by default', () => {
    expect(createTrustedDestinations([])(at('http:', '127.0.0.1', 80))).toBe(false);
  });

  it('matches a bare host on any scheme and port, case-insensitively', () => {
    const trusted = createTrustedDestinations(['Billing.Internal']);
    expect(trusted(at('https:', 'billing.internal', 443))).toBe(true);
    expect(trusted(at('http:', 'BILLING.internal', 8080))).toBe(true);
    expect(trusted(at('http:', 'billing.internal.evil.com', 80))).toBe(false);
  });

  it('matches host:port and bracketed IPv6', () => {
    const trusted = createTrustedDestinations(['api.internal:8443', '[::1]:9000']);
    expect(trusted(at('https:', 'api.internal', 8443))).toBe(true);
    expect(trusted(at('https:', 'api.internal', 443))).toBe(false);
    expect(trusted(at('http:', '::1', 9000))).toBe(true);
    expect(trusted(at('http:', '[::1]', 9000))).toBe(true);
  });

  it('matches an origin exactly, with the scheme default port', () => {
    const trusted = createTrustedDestinations(['https://billing.internal']);
    expect(trusted(at('https:', 'billing.internal', 443))).toBe(true);
    expect(trusted(at('http:', 'billing.internal', 443))).toBe(false);
    expect(trusted(at('https:', 'billing.internal', 8443))).toBe(false);
  });

  it('matches subdomains of a wildcard, not the bare domain', () => {
    const trusted = createTrustedDestinations(['*.svc.cluster.local']);
    expect(trusted(at('http:', 'a.svc.cluster.local', 80))).toBe(true);
    expect(trusted(at('http:', 'svc.cluster.local', 80))).toBe(false);
    expect(trusted(at('http:', 'evilsvc.cluster.local', 80))).toBe(false);
  });

  it.each(['', 'ftp://host', 'https://host/path', 'https://user@host', 'not a host', '*.'])('refuses the entry %j', (entry) => {
    expect(parseTrustedDestination(entry)).toBeUndefined();
  });
});
