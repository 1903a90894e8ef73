import { describe, expect, it } from 'vitest';
import { EdgeOptionsSchema } from './edge-options.js';
import { createTrustPolicy, parseCidr } from './trust.js';

const policy = (input: object) => createTrustPolicy(EdgeOptionsSchema.parse(input));
const SECRET = 'a-long-shared-secret-0123456789';

describe('trust policy', () => {
  it('trusts loopback only by default, IPv4, IPv6 and IPv4-mapped alike', () => {
    const isTrusted = policy({});
    expect(isTrusted('127.0.0.1', {})).toBe(true);
    expect(isTrusted('::1', {})).toBe(true);
    expect(isTrusted('::ffff:127.0.0.1', {})).toBe(true);
    expect(isTrusted('10.1.2.3', {})).toBe(false);
    expect(isTrusted('::ffff:10.1.2.3', {})).toBe(false);
    expect(isTrusted(undefined, {})).toBe(false);
  });

  it('trusts addresses inside configured CIDRs and single addresses, nothing outside', () => {
    const isTrusted = policy({ trustedUpstreams: ['10.0.0.0/8', '192.168.1.7', 'fd00::/8'] });
    expect(isTrusted('10.255.0.1', {})).toBe(true);
    expect(isTrusted('192.168.1.7', {})).toBe(true);
    expect(isTrusted('192.168.1.8', {})).toBe(false);
    expect(isTrusted('fd12::1', {})).toBe(true);
    expect(isTrusted('127.0.0.1', {})).toBe(false);
  });

  it('with a secret header: either a trusted address or the exact secret, or both when required', () => {
    const either = policy({ trustedUpstreams: ['10.0.0.0/8'], trustedSecretHeader: { name: 'X-Upstream', value: SECRET } });
    expect(either('10.0.0.1', {})).toBe(true);
    expect(either('8.8.8.8', { 'x-upstream': SECRET })).toBe(true);
    expect(either('8.8.8.8', { 'x-upstream': SECRET.slice(1) })).toBe(false);
    expect(either('8.8.8.8', { 'x-upstream': [SECRET, SECRET] })).toBe(false);
    const both = policy({ trustedUpstreams: ['10.0.0.0/8'], trustedSecretHeader: { name: 'x-upstream', value: SECRET }, trustRequiresBoth: true });
    expect(both('10.0.0.1', {})).toBe(false);
    expect(both('8.8.8.8', { 'x-upstream': SECRET })).toBe(false);
    expect(both('10.0.0.1', { 'x-upstream': SECRET })).toBe(true);
  });

  it('trusts nobody with an empty CIDR list and no secret', () => {
    expect(policy({ trustedUpstreams: [] })('127.0.0.1', {})).toBe(false);
  });

  it('parseCidr() refuses what is not an address or CIDR, and the options schema says so', () => {
    for (const bad of ['10.0.0.0/33', '::1/129', 'localhost', '10.0.0.0/', '10.0.0.0/8/8', '']) expect(parseCidr(bad)).toBeUndefined();
    expect(parseCidr('10.0.0.0/8')).toEqual({ address: '10.0.0.0', prefix: 8, family: 'ipv4' });
    const result = EdgeOptionsSchema.safeParse({ trustedUpstreams: ['localhost'], trustedSecretHeader: { name: 'bad header', value: 'short' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['trustedUpstreams.0', 'trustedSecretHeader.name', 'trustedSecretHeader.value']);
  });
});
