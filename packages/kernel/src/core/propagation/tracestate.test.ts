import { describe, expect, it } from 'vitest';
import { Tracestate, parseTracestate } from './tracestate.js';

const entries = (header: string | string[]): unknown => {
  const parsed = parseTracestate(header);
  return parsed.ok ? parsed.tracestate.entries() : parsed.reason;
};

describe('parseTracestate', () => {
  it('keeps members in order across header lines', () => {
    expect(entries(['a=1,b=2', 'c=3'])).toEqual([['a', '1'], ['b', '2'], ['c', '3']]);
  });

  it('skips empty and whitespace-only members', () => {
    expect(entries('a=1,, \t ,b=2,')).toEqual([['a', '1'], ['b', '2']]);
  });

  it('accepts multi-tenant keys and values with inner spaces', () => {
    expect(entries('tenant1@vendor=x y,0t@v=1')).toEqual([['tenant1@vendor', 'x y'], ['0t@v', '1']]);
  });

  it('accepts Level 2 keys: @ anywhere after the first character, up to 256 characters', () => {
    expect(entries(`foo@=1,foo@@bar=2,a@b@c=3,t@${'v'.repeat(15)}=4`)).toEqual([['foo@', '1'], ['foo@@bar', '2'], ['a@b@c', '3'], [`t@${'v'.repeat(15)}`, '4']]);
    expect(entries(`${'z'.repeat(256)}=1`)).toEqual([['z'.repeat(256), '1']]);
  });

  it('keeps the first (leftmost, most recent) entry of a duplicated key', () => {
    expect(entries('a=1,b=2,a=3')).toEqual([['a', '1'], ['b', '2']]);
  });

  it('treats a missing or empty header as an empty list', () => {
    expect(entries('')).toEqual([]);
    expect(parseTracestate(undefined)).toEqual({ ok: true, tracestate: expect.any(Tracestate) });
  });

  it.each([
    ['an uppercase key', 'A=1', 'invalid_member'],
    ['a member without =', 'a=1,b', 'invalid_member'],
    ['an empty value', 'a=', 'invalid_member'],
    ['a value with =', 'a=b=c', 'invalid_member'],
    ['a non-ASCII value', 'a=é', 'invalid_member'],
    ['a key starting with @', '@foo=1,bar=2', 'invalid_member'],
    ['a 257-character key', `${'z'.repeat(257)}=1`, 'invalid_member'],
    ['33 members', Array.from({ length: 33 }, (_, i) => `k${i}=v`).join(','), 'too_many_members'],
  ])('discards the whole header for %s', (_name, header, reason) => {
    expect(entries(header)).toBe(reason);
  });
});

describe('Tracestate', () => {
  it('set() moves the key to the left and leaves the original unchanged', () => {
    const before = new Tracestate([['a', '1'], ['b', '2']]);
    const after = before.set('b', '3');
    expect(after.serialize()).toBe('b=3,a=1');
    expect(before.serialize()).toBe('a=1,b=2');
  });

  it('set() ignores invalid keys and values instead of throwing', () => {
    const state = new Tracestate([['a', '1']]);
    expect(state.set('Bad', '1')).toBe(state);
    expect(state.set('ok', 'x,y')).toBe(state);
  });

  it('set() drops the rightmost member past 32', () => {
    const full = new Tracestate(Array.from({ length: 32 }, (_, i) => [`k${i}`, 'v'] as const));
    const next = full.set('new', 'v');
    expect(next.size).toBe(32);
    expect(next.get('new')).toBe('v');
    expect(next.get('k31')).toBeUndefined();
  });

  it('unset() removes a key', () => {
    expect(new Tracestate([['a', '1'], ['b', '2']]).unset('a').serialize()).toBe('b=2');
  });
});
