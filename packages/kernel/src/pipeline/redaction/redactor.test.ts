import { describe, expect, it } from 'vitest';
import { CIRCULAR, TRUNCATED, UNREADABLE, createRedactor, redactFieldsInto, type Redactor } from './redactor.js';
import { passesLuhn } from './value-patterns.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIiwibmFtZSI6IkpvaG4gRG9lIn0.SflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c';
const PEM = '-----BEGIN RSA PRIVATE KEY-----\nMIIEpAIBAAKCAQEA1c7+9z5Pad7OejecsQ0bu3aozN3tihPmljnnudb9G3HecpD9\nqWERTYsecretmaterial\n-----END RSA PRIVATE KEY-----';
const VISA = '4111 1111 1111 1111';
const SECRET = 'hunter2-very-secret';

const redactor = createRedactor();

/** Everything a test redacted, serialized the way a log line would be. */
function out(value: unknown): string {
  return JSON.stringify(redactor.redact(value)) ?? '';
}

describe('createRedactor', () => {
  it('redacts default keys at any depth, whatever their casing or separators', () => {
    const input = {
      user: { name: 'ada', Password: SECRET, profile: { API_KEY: SECRET, apiKey: SECRET, 'X-Api-Key': SECRET } },
      headers: { Authorization: SECRET, cookie: SECRET, 'Set-Cookie': [SECRET] },
      list: [{ client_secret: SECRET }, { accessToken: SECRET }],
    };
    const text = out(input);
    expect(text).not.toContain(SECRET);
    expect(text).toContain('"name":"ada"');
    expect((redactor.redact(input) as typeof input).user.Password).toBe('[REDACTED]');
  });

  it('leaves the input untouched and returns the same reference when nothing matches', () => {
    const input = { a: 1, b: { c: 'plain text', d: [1, 2, 'x'] } };
    expect(redactor.redact(input)).toBe(input);
    const secret = { a: 1, nested: { token: SECRET }, other: { kept: true } };
    const result = redactor.redact(secret);
    expect(result).not.toBe(secret);
    expect(secret.nested.token).toBe(SECRET);
    expect(result.other).toBe(secret.other);
  });

  it('redacts secret-shaped values in any string: bearer tokens, JWTs, PEM keys, card numbers, key=value pairs', () => {
    const text = out({
      msg: `calling with Authorization: Bearer abcDEF123456789 and ${JWT}`,
      pem: PEM,
      card: `paid with ${VISA} today`,
      url: `https://api.example.com/cb?access_token=${SECRET}&page=2`,
      json: `{"password":"${SECRET}"}`,
    });
    expect(text).not.toContain('abcDEF123456789');
    expect(text).not.toContain(JWT.slice(0, 40));
    expect(text).not.toContain('secretmaterial');
    expect(text).not.toContain('1111 1111');
    expect(text).not.toContain(SECRET);
    expect(text).toContain('page=2');
    expect(text).toContain('Bearer [REDACTED]');
  });

  it('keeps numbers that only look like cards: failing Luhn, or epoch milliseconds', () => {
    expect(redactor.redactString('order 4111 1111 1111 1112')).toContain('4111 1111 1111 1112');
    expect(redactor.redactString('at 1795312828328 ms')).toBe('at 1795312828328 ms');
    expect(passesLuhn('5500-0000-0000-0004')).toBe(true);
    expect(redactor.redactString('mc 5500-0000-0000-0004.')).toBe('mc [REDACTED].');
  });

  it('redacts the shortest card numbers, grouped or not, and a repeated string the same way every time', () => {
    // 13 digits (an old Visa), 14 (Diners), and 15 grouped 4-6-5 (Amex), each passing Luhn.
    for (const card of ['4222222222222', '3056 9309 0259 04', '3782-822463-10005']) {
      expect(passesLuhn(card)).toBe(true);
      expect(redactor.redactString(`card ${card} ok`)).toBe('card [REDACTED] ok');
    }
    for (let i = 0; i < 3; i += 1) {
      expect(redactor.redactString('SELECT * FROM t WHERE password = $1 -- password=hunter2')).toBe('SELECT * FROM t WHERE password = [REDACTED] -- password=[REDACTED]');
      expect(redactor.redactString('7c9e6679-7425-40de-944b-e07fc1f90ae7')).toBe('7c9e6679-7425-40de-944b-e07fc1f90ae7');
    }
  });

  it('redacts a PEM key even when the string was cut before its END line', () => {
    const cut = PEM.slice(0, 80);
    expect(redactor.redactString(`key: ${cut}`)).not.toContain('MIIEpAIB');
  });

  it('survives cycles, throwing getters, hostile proxies and Buffers without leaking', () => {
    const cyclic: Record<string, unknown> = { name: 'loop', token: SECRET };
    cyclic.self = cyclic;
    const getter = {
      ok: 'fine',
      get boom(): string {
        throw new Error(`getter exploded with ${SECRET}`);
      },
    };
    Object.defineProperty(getter, 'boom', { enumerable: true });
    const proxy = new Proxy({}, { ownKeys: () => { throw new Error('nope'); } });
    const input = { cyclic, getter, proxy, buf: Buffer.from(`password=${SECRET}`), arr: new Uint8Array(4) };
    const result = redactor.redact<unknown>(input) as Record<string, Record<string, unknown>>;
    const text = JSON.stringify(result);
    expect(text).not.toContain(SECRET);
    expect(result.cyclic?.self).toBe(CIRCULAR);
    expect(result.getter?.boom).toBe(UNREADABLE);
    expect(result.getter?.ok).toBe('fine');
    expect(result.proxy).toBe(UNREADABLE);
    expect(result.buf).toBe(`[Binary ${Buffer.byteLength(`password=${SECRET}`)} bytes]`);
  });

  it('bounds depth, size and string length, replacing what it did not examine', () => {
    const small = createRedactor({ maxDepth: 3, maxNodes: 50, maxStringLength: 100 });
    const deep = { a: { b: { c: { d: { password: SECRET } } } } };
    expect(JSON.stringify(small.redact(deep))).not.toContain(SECRET);
    expect(JSON.stringify(small.redact(deep))).toContain(TRUNCATED);
    const wide = Array.from({ length: 1000 }, (_, i) => ({ i, note: `password=${SECRET}` }));
    const redactedWide = small.redact(wide) as unknown[];
    expect(JSON.stringify(redactedWide)).not.toContain(SECRET);
    expect(redactedWide.length).toBeLessThan(1000);
    const huge = `${'x'.repeat(5_000_000)} Bearer abcdefghijklmnop`;
    const cut = small.redactString(huge);
    expect(cut.length).toBeLessThan(200);
    expect(cut).toContain('truncated');
  });

  it('serializes errors as type, message and stack, with secrets in them redacted', () => {
    const cause = new Error(`db said password=${SECRET}`);
    const error = Object.assign(new TypeError(`call failed: Bearer ${SECRET}`, { cause }), {
      config: { headers: { Authorization: `Bearer ${SECRET}` } },
      code: 'E_CALL',
    });
    const result = redactor.redact<unknown>({ err: error }) as { err: Record<string, unknown> };
    const text = JSON.stringify(result);
    expect(text).not.toContain(SECRET);
    expect(result.err.type).toBe('TypeError');
    expect(result.err.message).toBe('call failed: Bearer [REDACTED]');
    expect(result.err.stack).toContain('call failed: Bearer [REDACTED]');
    expect(result.err.code).toBe('E_CALL');
    expect((result.err.cause as Record<string, unknown>).message).toBe('db said password=[REDACTED]');
  });

  it('follows toJSON, since that is what a JSON writer would emit', () => {
    const value = { toJSON: () => ({ token: SECRET, ok: 1 }) };
    expect(out({ value })).not.toContain(SECRET);
    expect(out({ value: { toJSON: () => { throw new Error('x'); } } })).toContain(UNREADABLE);
  });

  it('takes extra keys, replacement key lists and custom patterns', () => {
    const custom = createRedactor({ keys: ['ssn'], extraKeys: ['pin'], patterns: ['acct-\\d{6}'] });
    const result = custom.redact({ ssn: '1', pin: '2', password: 'kept', note: 'acct-123456 ok' });
    expect(result).toEqual({ ssn: '[REDACTED]', pin: '[REDACTED]', password: 'kept', note: '[REDACTED] ok' });
  });

  it('keeps a __proto__ key as data in the copy', () => {
    const parsed = JSON.parse(`{"__proto__": {"polluted": true}, "token": "${SECRET}"}`) as Record<string, unknown>;
    const result = redactor.redact(parsed) as Record<string, unknown>;
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(result.token).toBe('[REDACTED]');
  });

  it('passes primitives through and never throws', () => {
    for (const value of [undefined, null, 1, true, 10n, Symbol('s'), () => 1]) {
      expect(redactor.redact(value)).toBe(value);
    }
  });

  it('writes the fields of a plain object into a target in the pass that redacts them, each read once, the skipped never read', () => {
    const reads: string[] = [];
    const source = {
      get rows() {
        reads.push('rows');
        return 3;
      },
      get skipped() {
        reads.push('skipped');
        return 'never';
      },
      get broken(): string {
        throw new Error('boom');
      },
      password: SECRET,
      note: `Bearer abcDEF123456789`,
      nested: { token: SECRET, kept: 'yes' },
    };
    const target: Record<string, unknown> = { component: 'db' };
    expect(redactFieldsInto(redactor, source, target, (key) => key === 'skipped')).toBe(target);
    expect(target).toEqual({ component: 'db', rows: 3, broken: UNREADABLE, password: '[REDACTED]', note: 'Bearer [REDACTED]', nested: { token: '[REDACTED]', kept: 'yes' } });
    expect(reads).toEqual(['rows']);
  });

  it('answers what redact() answers for what is not a plain object of fields, and for a redactor written by hand, writing nothing', () => {
    const target: Record<string, unknown> = {};
    const error = new Error(`failed with ${SECRET}`);
    expect(redactFieldsInto(createRedactor({ patterns: ['hunter2\\S*'] }), error, target, () => false)).toMatchObject({ type: 'Error', message: 'failed with [REDACTED]' });
    expect(redactFieldsInto(redactor, [{ token: SECRET }], target, () => false)).toEqual([{ token: '[REDACTED]' }]);
    const byHand: Redactor = { ...redactor, redact: <T>(_value: T): T => ({ byHand: true }) as T };
    expect(redactFieldsInto(byHand, { a: 1 }, target, () => false)).toEqual({ byHand: true });
    const replaced = createRedactor();
    replaced.redact = <T>(_value: T): T => ({ replaced: true }) as T;
    expect(redactFieldsInto(replaced, { a: 1 }, target, () => false)).toEqual({ replaced: true });
    expect(target).toEqual({});
  });
});
