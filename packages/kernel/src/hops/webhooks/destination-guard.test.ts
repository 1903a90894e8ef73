import { describe, expect, it } from 'vitest';
import { allowList, checkDestination, forbiddenCategory } from './destination-guard.js';

describe('webhook destination guard', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.20.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'unique-local'],
    ['100.64.0.1', 'cgnat'],
    ['224.0.0.1', 'multicast'],
    ['ff02::1', 'multicast'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:a9fe:a9fe', 'link-local'],
    ['::ffff:10.0.0.1', 'private'],
    ['64:ff9b::a00:1', 'embedded-ipv4'],
    ['255.255.255.255', 'reserved'],
  ])('%s is refused as %s', (address, category) => {
    expect(forbiddenCategory(address)).toBe(category);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:8.8.8.8'])('%s is a public address', (address) => {
    expect(forbiddenCategory(address)).toBeUndefined();
  });

  it('refuses a name that resolves to a private address, even beside a public one', async () => {
    const resolve = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '10.0.0.5', family: 4 },
    ];
    expect(await checkDestination(new URL('https://hooks.example.com/x'), { resolve })).toEqual({
      ok: false,
      reason: 'forbidden_address',
      address: '10.0.0.5',
      category: 'private',
    });
  });

  it('refuses IP literals, bracketed IPv6 included, unless explicitly allowed', async () => {
    expect(await checkDestination(new URL('http://[::1]:8080/'))).toMatchObject({ ok: false, category: 'loopback' });
    expect(await checkDestination(new URL('http://127.0.0.1:8080/'))).toMatchObject({ ok: false, category: 'loopback' });
    expect(await checkDestination(new URL('http://127.0.0.1:8080/'), { allow: allowList(['127.0.0.1/32']) })).toEqual({ ok: true, address: '127.0.0.1', family: 4 });
    expect(await checkDestination(new URL('http://10.0.0.1/'), { allow: allowList(['127.0.0.1/32']) })).toMatchObject({ ok: false, category: 'private' });
  });

  it('answers the address to pin, and refuses non-HTTP schemes and unresolvable names as values', async () => {
    const resolve = async () => [{ address: '93.184.216.34', family: 4 }];
    expect(await checkDestination(new URL('https://hooks.example.com/'), { resolve })).toEqual({ ok: true, address: '93.184.216.34', family: 4 });
    expect(await checkDestination(new URL('file:///etc/passwd'))).toMatchObject({ ok: false, reason: 'invalid_url' });
    const failing = async () => {
      throw new Error('ENOTFOUND');
    };
    expect(await checkDestination(new URL('https://nowhere.invalid/'), { resolve: failing })).toMatchObject({ ok: false, reason: 'dns_failed' });
  });
});
