import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { logsRequest, postOtlpJson } from '../internal/otlp-json-builder.js';
import { seedTenant, type TenantScenario } from '../internal/seed-scenario.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';
import { readFileSync } from 'node:fs';
import { QUESTIONS, questionNamed } from '../questions/registry/index.js';
import { runCli } from './run-cli.js';

const A = '11111111-1111-4111-8111-111111111111';
let c: TestCollector;
let a: TenantScenario;
let admin: string;

beforeAll(async () => {
  c = await startTestCollector();
  a = await seedTenant(c.url, A, 'alpha');
  admin = c.token('admin');
});
afterAll(async () => {
  await c.stop();
});

async function cli(argv: string[], env: NodeJS.ProcessEnv = { STITCH_URL: c.url, STITCH_TOKEN: admin }): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(argv, { stdout: (t) => (out += t), stderr: (t) => (err += t), env });
  return { code, out, err };
}

describe('stitch CLI', () => {
  const since = new Date(Date.now() - 3_600_000).toISOString();
  const until = new Date(Date.now() + 60_000).toISOString();

  it.each([
    ['slow', ['slow', '--tenant', A], `/api/slow?tenant=${A}`],
    ['queries --top', ['queries', '--top'], '/api/queries/top?'],
    ['webhooks --retries', ['webhooks', '--retries'], '/api/webhooks/retries?'],
    ['errors', ['errors'], '/api/errors?'],
    ['violations', ['violations'], '/api/violations?'],
    ['logs', ['logs', '--tenant', A], `/api/logs?tenant=${A}`],
  ])('`stitch %s --json` prints exactly what the API answers', async (_name, argv, path) => {
    const window = `since=${encodeURIComponent(since)}&until=${encodeURIComponent(until)}`;
    const api = await (await c.get(`${path}${path.endsWith('?') ? '' : '&'}${window}`, admin)).json();
    const { code, out } = await cli([...argv, '--json', '--since', since, '--until', until]);
    expect(code).toBe(0);
    expect(JSON.parse(out)).toEqual(api);
  });

  it('`stitch trace` prints the tree with log lines interleaved by time', async () => {
    const { code, out } = await cli(['trace', a.requestTraceId]);
    expect(code).toBe(0);
    const lines = out.split('\n');
    const order = ['GET /orders/:id', 'alpha: loading order', '  orders.by_id', 'alpha: route over budget'].map((s) => lines.findIndex((l) => l.includes(s)));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((x, y) => x - y)).toEqual(order);
    // A line written by a span sits one level under it; a line with no span id at the top level.
    expect(lines[order[1]!]).toMatch(/ {3}│ INFO alpha: loading order/);
    expect(lines[order[3]!]).toMatch(/ │ WARN alpha: route over budget/);
    expect(lines[order[3]!]).not.toMatch(/ {3}│ WARN/);
  });

  it('`stitch job --origin` and `stitch request --jobs` answer both directions', async () => {
    const origin = await cli(['job', a.runId, '--origin']);
    expect(origin.out).toContain(`trace ${a.requestTraceId}`);
    const jobs = await cli(['request', a.requestTraceId, '--jobs']);
    expect(jobs.out).toContain(a.runId);
  });

  it('`stitch logs --follow` prints the tenant’s new lines as they arrive', async () => {
    const controller = new AbortController();
    let out = '';
    const run = runCli(['logs', '--tenant', A, '--follow'], {
      stdout: (t) => (out += t),
      stderr: () => undefined,
      env: { STITCH_URL: c.url, STITCH_TOKEN: admin },
      abortSignal: controller.signal,
    });
    const deadline = Date.now() + 20_000;
    while (!out.includes('live line') && Date.now() < deadline) {
      // Re-sent until the stream (opened asynchronously) has seen one: follow shows only new lines.
      await postOtlpJson(c.url, 'logs', logsRequest('svc', [{ timeMillis: Date.now(), body: 'live line', attributes: { tenant_id: A } }]));
      await new Promise((r) => setTimeout(r, 100));
    }
    controller.abort();
    expect(await run).toBe(0);
    expect(out).toContain('live line');
  });

  it('reports the server’s error code and exits 1 without a valid token', async () => {
    const { code, err } = await cli(['status'], { STITCH_URL: c.url, STITCH_TOKEN: 'stitch_wrong' });
    expect(code).toBe(1);
    expect(err).toContain('STITCH_ERR_COLLECTOR_UNAUTHENTICATED');
  });

  it('`stitch token create` issues a working token and stores only its hash', async () => {
    const { code, out } = await cli(['token', 'create', '--scope', 'traces:read', '--tenant', A, '--data', c.config.data], {});
    expect(code).toBe(0);
    const token = out.trim();
    expect((await c.get(`/api/traces/${a.requestTraceId}`, token)).status).toBe(200);
    const { readFileSync } = await import('node:fs');
    expect(readFileSync(`${c.config.data}.tokens.json`, 'utf8')).not.toContain(token);
  });

  it('`stitch token create` takes any tenant id the kernel accepts (a slug too), and names the rule for one it refuses', async () => {
    const slug = await cli(['token', 'create', '--scope', 'traces:read', '--tenant', 'acme', '--data', c.config.data], {});
    expect(slug.code).toBe(0);
    expect(slug.out.trim()).toMatch(/^stitch_/);
    const bad = await cli(['token', 'create', '--scope', 'traces:read', '--tenant', 'acme corp', '--data', c.config.data], {});
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('--tenant takes a tenant id as the service sets it: 1–128 letters, digits and . _ : -');
  });

  it('`stitch serve` exits 1 with a message when the port is already taken', async () => {
    const port = new URL(c.url).port;
    const { code, err } = await cli(['serve', '--port', port, '--data', `${c.config.data}-other.duckdb`], {});
    expect(code).toBe(1);
    expect(err).toMatch(/cannot start.*EADDRINUSE/);
  });

  it('refuses a token that is neither tenant-bound nor platform-wide, and a tenant-bound admin', async () => {
    expect((await cli(['token', 'create', '--scope', 'logs:read', '--data', c.config.data], {})).code).toBe(2);
    expect((await cli(['token', 'create', '--scope', 'admin', '--tenant', A, '--data', c.config.data], {})).code).toBe(2);
  });

  it('`stitch --help` and `stitch help` list every command with its summary and exit 0', async () => {
    for (const argv of [['--help'], ['help'], ['-h']]) {
      const { code, out } = await cli(argv);
      expect(code).toBe(0);
      for (const name of ['serve', 'token', ...QUESTIONS.filter((q) => q.cli).map((q) => q.name)]) expect(out).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
      expect(out).toContain(questionNamed('slow')!.summary);
    }
  });

  it.each(['slow', 'queries', 'trace', 'serve', 'token'])('`stitch %s --help` prints its usage and an example and exits 0', async (name) => {
    const { code, out } = await cli([name, '--help']);
    expect(code).toBe(0);
    expect(out).toMatch(new RegExp(`^usage: stitch ${name}`, 'm'));
    expect(out).toMatch(new RegExp(`example:\\n  stitch ${name} `));
    expect((await cli(['help', name])).out).toBe(out);
  });

  it('`stitch --version` and `-V` print the collector package version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    for (const flag of ['--version', '-V']) expect(await cli([flag])).toEqual({ code: 0, out: `${version}\n`, err: '' });
  });

  it.each([
    ['an unknown command', ['frobnicate'], /^stitch: unknown command frobnicate\n/, 'usage: stitch <command>'],
    ['an unknown flag', ['slow', '--tenant', A, '--bogus'], /^stitch slow: Unknown option '--bogus'\n/, 'usage: stitch slow'],
    ['a missing argument', ['trace'], /^stitch trace: missing trace id\n/, 'usage: stitch trace <traceId>'],
    ['a bad value', ['queries', '--top', '--limit', 'many'], /^stitch queries: --limit must be a positive whole number, not "many"\n/, 'usage: stitch queries'],
    ['no command', [], /^stitch: missing command\n/, 'usage: stitch <command>'],
    ['a flag given twice', ['slow', '--tenant', A, '--tenant', 'b'], /^stitch slow: Option '--tenant' is given more than once: pass it once\n/, 'usage: stitch slow'],
    ['two --scope flags', ['token', 'create', '--scope', 'traces:read', '--scope', 'logs:read', '--all-tenants'], /^stitch token: Option '--scope' is given more than once: pass it once \(several scopes: --scope traces:read,logs:read\)\n/, 'usage: stitch token create'],
    ['slow without --tenant on a platform-wide token', ['slow'], /^stitch slow: missing --tenant <id>/, 'usage: stitch slow'],
  ])('%s exits 2 with a one-line reason and the usage on stderr', async (_what, argv, reason, usageLine) => {
    const { code, out, err } = await cli(argv);
    expect(code).toBe(2);
    expect(out).toBe('');
    expect(err).toMatch(reason);
    expect(err.split('\n')[1]).toContain(usageLine.split(' <')[0]);
    expect(err).toContain(usageLine);
    expect(err).not.toMatch(/\n\s+at /);
  });

  it.each([
    ['trace', () => ['trace', a.requestTraceId]],
    ['job', () => ['job', a.runId, '--origin']],
    ['request', () => ['request', a.requestTraceId, '--jobs']],
    ['status', () => ['status']],
    ['audit', () => ['audit']],
  ])('`stitch %s --json` prints the answer as JSON', async (_name, argv) => {
    const { code, out } = await cli([...argv(), '--json']);
    expect(code).toBe(0);
    expect(typeof JSON.parse(out)).toBe('object');
  });
});
