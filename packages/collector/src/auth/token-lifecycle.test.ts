import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ErrorEnvelopeSchema, TokenCreatedSchema, TokenListResponseSchema, TokenRevokedSchema } from '@stitch/contract';
import { runCli } from '../cli/run-cli.js';
import { seedTenant, type TenantScenario } from '../internal/seed-scenario.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
let c: TestCollector;
let a: TenantScenario;
let admin: string;

beforeAll(async () => {
  c = await startTestCollector();
  a = await seedTenant(c.url, A, 'alpha');
  await seedTenant(c.url, B, 'beta');
  admin = c.token('admin');
});
afterAll(async () => {
  await c.stop();
});

async function cli(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), env: {} });
  return { code, out, err };
}

function call(method: string, path: string, token: string, body?: object): Promise<Response> {
  return fetch(`${c.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
}

async function codeOf(res: Response): Promise<string> {
  return ErrorEnvelopeSchema.parse(await res.json()).error.code;
}

describe('token lifecycle over the HTTP API', () => {
  it('issues one token with several scopes, a name and an expiry, that reads traces and logs of its tenant', async () => {
    const res = await call('POST', '/api/tokens', admin, { scopes: ['traces:read', 'logs:read'], tenantId: A, name: 'both', ttl: '30d' });
    expect(res.status).toBe(201);
    const created = TokenCreatedSchema.parse(await res.json());
    expect(created).toMatchObject({ name: 'both', scopes: ['traces:read', 'logs:read'], tenantId: A });
    expect(Date.parse(created.expiresAt!) - Date.parse(created.createdAt)).toBe(30 * 86_400_000);
    expect((await c.get(`/api/traces/${a.requestTraceId}`, created.token)).status).toBe(200);
    expect((await c.get('/api/logs', created.token)).status).toBe(200);
    expect((await c.get('/api/audit', created.token)).status).toBe(403);
  });

  it('refuses a malformed expiry or a taken name with STITCH_ERR_COLLECTOR_TOKEN_INVALID', async () => {
    const bad = await call('POST', '/api/tokens', admin, { scopes: ['traces:read'], tenantId: A, ttl: '30 days' });
    expect(bad.status).toBe(400);
    expect(await codeOf(bad)).toBe('STITCH_ERR_COLLECTOR_TOKEN_INVALID');
    await call('POST', '/api/tokens', admin, { scope: 'traces:read', tenantId: A, name: 'taken' });
    const again = await call('POST', '/api/tokens', admin, { scope: 'logs:read', tenantId: B, name: 'taken' });
    expect(again.status).toBe(400);
    expect(await codeOf(again)).toBe('STITCH_ERR_COLLECTOR_TOKEN_INVALID');
  });

  it('answers 401 STITCH_ERR_COLLECTOR_TOKEN_EXPIRED to an expired token, on the API and /metrics', async () => {
    const expiredAdmin = c.tokens.create({ scopes: ['admin'], tenantId: null, ttlMillis: 60_000 }, Date.now() - 120_000).token;
    const expiredReader = c.tokens.create({ scopes: ['traces:read'], tenantId: A, ttlMillis: 60_000 }, Date.now() - 120_000).token;
    for (const res of [await c.get(`/api/traces/${a.requestTraceId}`, expiredReader), await c.get('/api/status', expiredAdmin), await c.get('/metrics', expiredAdmin)]) {
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await codeOf(res)).toBe('STITCH_ERR_COLLECTOR_TOKEN_EXPIRED');
    }
  });

  it('lists tokens for a platform-wide admin only, without secrets or hashes, with their last use', async () => {
    const reader = c.tokens.create({ scopes: ['traces:read'], tenantId: A, name: 'listed' });
    await c.get(`/api/traces/${a.requestTraceId}`, reader.token);
    expect((await call('GET', '/api/tokens', reader.token)).status).toBe(403);
    expect((await call('GET', '/api/tokens', c.token(['traces:read', 'logs:read']))).status).toBe(403);
    const res = await call('GET', '/api/tokens', admin);
    expect(res.status).toBe(200);
    const text = await res.text();
    const list = TokenListResponseSchema.parse(JSON.parse(text));
    const listed = list.tokens.find((t) => t.id === reader.id);
    expect(listed).toMatchObject({ name: 'listed', scopes: ['traces:read'], tenantId: A, expiresAt: null, expired: false });
    expect(listed?.lastUsedAt).not.toBeNull();
    const hashes = readFileSync(`${c.config.data}.tokens.json`, 'utf8').match(/[0-9a-f]{64}/g) ?? [];
    expect(hashes.length).toBe(list.tokens.length);
    for (const secret of [reader.token, admin, ...hashes]) expect(text).not.toContain(secret);
  });

  it('revokes a token by id: from the next request on it gets 401, and only an admin may revoke', async () => {
    const victim = c.tokens.create({ scopes: ['logs:read'], tenantId: B, name: 'victim' });
    expect((await c.get('/api/logs', victim.token)).status).toBe(200);
    expect((await call('DELETE', `/api/tokens/${victim.id}`, victim.token)).status).toBe(403);
    const res = await call('DELETE', `/api/tokens/${victim.id}`, admin);
    expect(res.status).toBe(200);
    expect(TokenRevokedSchema.parse(await res.json()).revoked).toMatchObject({ id: victim.id, name: 'victim' });
    const after = await c.get('/api/logs', victim.token);
    expect(after.status).toBe(401);
    expect(await codeOf(after)).toBe('STITCH_ERR_COLLECTOR_UNAUTHENTICATED');
    const gone = await call('DELETE', `/api/tokens/${victim.id}`, admin);
    expect(gone.status).toBe(404);
    expect(await codeOf(gone)).toBe('STITCH_ERR_COLLECTOR_NOT_FOUND');
  });
});

describe('stitch token on the token file of a running collector', () => {
  it('create takes several scopes, --name and --ttl; list shows it; revoke by name refuses it at once', async () => {
    const created = await cli(['token', 'create', '--scope', 'traces:read,logs:read', '--tenant', A, '--name', 'ci-bot', '--ttl', '12h', '--data', c.config.data]);
    expect(created.code).toBe(0);
    const token = created.out.trim();
    expect(created.err).toMatch(/scopes traces:read,logs:read, tenant 1111.*expires /);
    expect((await c.get('/api/logs', token)).status).toBe(200);

    const list = await cli(['token', 'list', '--data', c.config.data]);
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^ID +NAME +SCOPES +TENANT +CREATED +EXPIRES$/m);
    expect(list.out).toMatch(new RegExp(`^\\w{8}  ci-bot +traces:read,logs:read +${A} +\\S+ +\\d{4}-\\S+$`, 'm'));
    expect(list.out).not.toContain(token);
    const json = TokenListResponseSchema.parse(JSON.parse((await cli(['token', 'list', '--json', '--data', c.config.data])).out));
    expect(json.tokens.find((t) => t.name === 'ci-bot')).toMatchObject({ scopes: ['traces:read', 'logs:read'], tenantId: A });

    const revoked = await cli(['token', 'revoke', 'ci-bot', '--data', c.config.data]);
    expect(revoked.code).toBe(0);
    expect(revoked.err).toMatch(/ci-bot\) revoked/);
    expect((await c.get('/api/logs', token)).status).toBe(401);
  });

  it('list shows a token without a name with a "-" in the name column, aligned like a name', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'stitch-token-list-'));
    try {
      const data = join(dir, 'other.duckdb');
      const id = (JSON.parse((await cli(['token', 'create', '--scope', 'admin', '--all-tenants', '--json', '--data', data])).out) as { id: string }).id;
      expect((await cli(['token', 'list', '--data', data])).out).toMatch(new RegExp(`^${id}  -  +admin +all tenants `, 'm'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('exits 2 with the usage for a bad scope, ttl or name, or a revoke without its argument; 1 for an unknown token', async () => {
    for (const argv of [
      ['token', 'create', '--scope', 'traces:read,nope', '--tenant', A],
      ['token', 'create', '--scope', 'traces:read', '--tenant', A, '--ttl', '2w'],
      ['token', 'create', '--scope', 'traces:read', '--tenant', A, '--name', 'no spaces'],
      ['token', 'create', '--scope', 'admin,logs:read', '--all-tenants'],
      ['token', 'revoke'],
    ]) {
      const { code, err } = await cli([...argv, '--data', c.config.data]);
      expect(code).toBe(2);
      expect(err).toContain('usage: stitch token create');
    }
    const unknown = await cli(['token', 'revoke', 'nobody', '--data', c.config.data]);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toContain('token nobody not found');
  });
});
