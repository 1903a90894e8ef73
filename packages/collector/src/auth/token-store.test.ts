import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { StitchError } from '@stitch/contract';
import { parseTtl, TokenStore } from './token-store.js';

const A = '11111111-1111-4111-8111-111111111111';
let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'stitch-tokens-'));
  path = join(dir, 'store.duckdb.tokens.json');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof StitchError ? err.code : `not a StitchError: ${String(err)}`;
  }
  return undefined;
}

describe('TokenStore', () => {
  it('reads a token file written before tokens had a lifecycle: one scope, no name, no expiry', () => {
    const secret = 'stitch_legacy-secret-from-an-older-collector';
    const legacy = {
      version: 1,
      tokens: [{ id: 'abcd1234', hash: createHash('sha256').update(secret).digest('hex'), scope: 'logs:read', tenantId: A, createdAt: '2026-01-01T00:00:00.000Z' }],
    };
    writeFileSync(path, JSON.stringify(legacy));
    const store = new TokenStore(path);
    expect(store.verify(secret)).toMatchObject({ id: 'abcd1234', scopes: ['logs:read'], tenantId: A, name: null, expiresAt: null });
    // Creating another token rewrites the file in the new format, and the old token keeps working.
    store.create({ scopes: ['traces:read'], tenantId: A });
    expect(JSON.parse(readFileSync(path, 'utf8'))).toMatchObject({ version: 2, tokens: [{ id: 'abcd1234', scopes: ['logs:read'] }, { scopes: ['traces:read'] }] });
    expect(new TokenStore(path).verify(secret)?.id).toBe('abcd1234');
  });

  it('issues a token with several scopes, a name and an expiry, and refuses it once expired', () => {
    const store = new TokenStore(path);
    const now = Date.parse('2026-06-01T00:00:00.000Z');
    const created = store.create({ scopes: ['traces:read', 'logs:read', 'traces:read'], tenantId: A, name: 'ci-bot', ttlMillis: parseTtl('12h')! }, now);
    expect(created).toMatchObject({ name: 'ci-bot', scopes: ['traces:read', 'logs:read'], expiresAt: '2026-06-01T12:00:00.000Z' });
    expect(store.check(created.token, now + 11 * 3_600_000)).toMatchObject({ ok: true });
    expect(store.check(created.token, now + 12 * 3_600_000)).toEqual({ ok: false, reason: 'expired', expiresAt: '2026-06-01T12:00:00.000Z' });
    expect(store.list(now + 13 * 3_600_000)).toMatchObject([{ id: created.id, expired: true }]);
  });

  it('revokes by name or id, at once for another process reading the same file', () => {
    const cli = new TokenStore(path);
    const server = new TokenStore(path);
    const bot = cli.create({ scopes: ['traces:read'], tenantId: A, name: 'ci-bot' });
    const other = cli.create({ scopes: ['admin'], tenantId: null });
    expect(server.verify(bot.token)?.id).toBe(bot.id);
    expect(cli.revoke('ci-bot')).toMatchObject({ id: bot.id, name: 'ci-bot' });
    expect(server.verify(bot.token)).toBeNull();
    expect(server.verify(other.token)?.id).toBe(other.id);
    cli.revoke(other.id);
    expect(server.verify(other.token)).toBeNull();
    expect(readFileSync(path, 'utf8')).not.toContain(createHash('sha256').update(bot.token).digest('hex'));
    expect(codeOf(() => cli.revoke('ci-bot'))).toBe('STITCH_ERR_COLLECTOR_NOT_FOUND');
  });

  it('lists tokens without their secrets or hashes, and shows when each was last used', () => {
    const store = new TokenStore(path);
    const used = store.create({ scopes: ['logs:read'], tenantId: A, name: 'reader' });
    const unused = store.create({ scopes: ['admin'], tenantId: null });
    store.verify(used.token, Date.parse('2026-06-01T10:00:00.000Z'));
    const list = store.list();
    expect(list.map((t) => [t.id, t.name, t.lastUsedAt])).toEqual([
      [used.id, 'reader', '2026-06-01T10:00:00.000Z'],
      [unused.id, null, null],
    ]);
    const text = JSON.stringify(list);
    const hashes = [used, unused].map((t) => createHash('sha256').update(t.token).digest('hex'));
    for (const secret of [used.token, unused.token, ...hashes]) expect(text).not.toContain(secret);
  });

  it('refuses impossible tokens with STITCH_ERR_COLLECTOR_TOKEN_INVALID and writes nothing', () => {
    const store = new TokenStore(path);
    const first = store.create({ scopes: ['traces:read'], tenantId: A, name: 'ci-bot' });
    const before = readFileSync(path, 'utf8');
    for (const request of [
      { scopes: ['traces:read' as const], tenantId: A, name: 'ci-bot' },
      { scopes: ['traces:read' as const], tenantId: A, name: first.id },
      { scopes: ['admin' as const], tenantId: A },
      { scopes: ['admin' as const, 'logs:read' as const], tenantId: null },
      { scopes: [], tenantId: null },
      { scopes: ['logs:read' as const], tenantId: A, ttlMillis: 0 },
      { scopes: ['logs:read' as const], tenantId: A, name: 'has space' },
    ]) {
      expect(codeOf(() => store.create(request))).toBe('STITCH_ERR_COLLECTOR_TOKEN_INVALID');
    }
    expect(readFileSync(path, 'utf8')).toBe(before);
  });

  it('accepts no token from a damaged file, and leaves the file as it is', () => {
    const store = new TokenStore(path);
    const good = store.create({ scopes: ['admin'], tenantId: null });
    expect(store.verify(good.token)).not.toBeNull();
    for (const damaged of ['{"version": 2, "tokens": [', JSON.stringify({ version: 2, tokens: [{ id: 'x', hash: 'nothex', scopes: ['admin'], tenantId: null, createdAt: 'now' }] })]) {
      writeFileSync(path, damaged);
      expect(codeOf(() => store.verify(good.token))).toBe('STITCH_ERR_COLLECTOR_TOKEN_FILE_INVALID');
      expect(codeOf(() => store.create({ scopes: ['admin'], tenantId: null }))).toBe('STITCH_ERR_COLLECTOR_TOKEN_FILE_INVALID');
      expect(codeOf(() => store.revoke(good.id))).toBe('STITCH_ERR_COLLECTOR_TOKEN_FILE_INVALID');
      expect(readFileSync(path, 'utf8')).toBe(damaged);
    }
  });
});

describe('parseTtl', () => {
  it('reads minutes, hours and days, and refuses anything else', () => {
    expect([parseTtl('90m'), parseTtl('12h'), parseTtl('30d')]).toEqual([90 * 60_000, 12 * 3_600_000, 30 * 86_400_000]);
    for (const bad of ['', '0d', '30', '1.5h', '-1d', '2w', '3651d', '30 days']) expect(parseTtl(bad)).toBeNull();
  });
});
