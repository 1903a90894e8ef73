import { describe, expect, it } from 'vitest';
import { BAGGAGE_MAX_BYTES, extractBaggage, formatBaggage, injectBaggage, parseBaggage } from './baggage.js';

describe('baggage', () => {
  it('extractBaggage() keeps only tenant.id and actor.id by default, percent-decoded', () => {
    expect(extractBaggage({ baggage: 'tenant.id=t%201, other=x;prop=1, actor.id = a1 ;p' })).toEqual({ 'tenant.id': 't 1', 'actor.id': 'a1' });
  });

  it('extractBaggage() combines header lines and keeps the first of a repeated key', () => {
    expect(extractBaggage({ baggage: ['tenant.id=first', 'tenant.id=second'] })).toEqual({ 'tenant.id': 'first' });
  });

  it('honours a configured key list', () => {
    expect(parseBaggage('region=eu,tenant.id=t', { allowedKeys: ['region'] })).toEqual({ region: 'eu' });
  });

  it('drops malformed members and keeps the rest, never throwing', () => {
    expect(parseBaggage('tenant.id=%zz,actor.id=a"b,=x,tenant id=1,actor.id=ok')).toEqual({ 'actor.id': 'ok' });
  });

  it('drops members past 64, and past 8192 bytes, whole', () => {
    const many = Array.from({ length: 64 }, (_, i) => `k${i}=v`).join(',');
    expect(parseBaggage(`${many},tenant.id=late`)).toEqual({});
    const big = `pad=${'x'.repeat(BAGGAGE_MAX_BYTES - 10)}`;
    expect(parseBaggage(`${big},tenant.id=late`)).toEqual({});
    expect(parseBaggage(`tenant.id=early,${big}`)).toEqual({ 'tenant.id': 'early' });
  });

  it('formatBaggage() percent-encodes values and round-trips', () => {
    const value = 'a,b;c=d%e é';
    const header = formatBaggage({ 'tenant.id': value, 'secret.token': 'x' });
    expect(header).toBe(`tenant.id=${encodeURIComponent(value)}`);
    expect(parseBaggage(header)).toEqual({ 'tenant.id': value });
  });

  it('formatBaggage() drops a member that would pass 8192 bytes', () => {
    expect(formatBaggage({ 'tenant.id': 't', 'actor.id': 'x'.repeat(BAGGAGE_MAX_BYTES) })).toBe('tenant.id=t');
  });

  it('injectBaggage() writes nothing when no allowed entry is left', () => {
    const carrier: Record<string, string> = {};
    injectBaggage(carrier, { other: '1' });
    expect(carrier).toEqual({});
    injectBaggage(carrier, { 'tenant.id': 't1' });
    expect(carrier).toEqual({ baggage: 'tenant.id=t1' });
  });
});
