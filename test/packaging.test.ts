import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The packages as a user gets them: `npm pack` of contract, kernel, collector and the ESLint
 * plugin (each builds its dist/ on prepack), the tarballs installed into a fresh project in the system temp folder,
 * outside the workspace (real directories, no workspace resolution, no symlinks), and used from
 * there: every public subpath of the kernel imported, the `stitch` binary run, a small Express
 * service (the README's example) exporting over OTLP to `stitch serve` from the installed
 * package, and the trace it sent read back through the CLI and the API and the UI served; the
 * same kind of service inside its own NodeSDK with getNodeAutoInstrumentations() (the
 * integration mode, @stitch/kernel/otel), its trace read back through the API; the plugin's
 * recommended config run by the installed ESLint over a domain file.
 */
const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, '..');
const kernelPkg = JSON.parse(readFileSync(join(REPO, 'packages/kernel/package.json'), 'utf8')) as {
  exports: Record<string, unknown>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};
const collectorPkg = JSON.parse(readFileSync(join(REPO, 'packages/collector/package.json'), 'utf8')) as { version: string };
const rootPkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };

let dir: string;
let app: string;
let serve: ChildProcess | undefined;
let serving: Promise<{ url: string; token: string }> | undefined;

function stitch(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [join(app, 'node_modules/@stitch/collector/bin/stitch.js'), ...args], { cwd: app, env: { ...process.env, ...env } });
}

/**
 * `stitch serve` from the installed package, started by the first test that needs it (each test
 * stands alone), and a token that reads traces and logs there.
 */
function installedServe(): Promise<{ url: string; token: string }> {
  serving ??= (async () => {
    const data = join(dir, 'stitch.duckdb');
    const { stdout: token } = await stitch(['token', 'create', '--scope', 'traces:read,logs:read', '--all-tenants', '--data', data]);
    serve = spawn(process.execPath, [join(app, 'node_modules/@stitch/collector/bin/stitch.js'), 'serve', '--port', '0', '--data', data], { cwd: app });
    const url = await new Promise<string>((resolveUrl, reject) => {
      let err = '';
      serve!.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
        const m = /receiving OTLP\/HTTP on (http:\/\/[^/\s]+)\/v1\/traces/.exec(err);
        if (m) resolveUrl(m[1]!);
      });
      serve!.once('exit', (code) => reject(new Error(`stitch serve exited ${code}: ${err}`)));
    });
    return { url, token: token.trim() };
  })();
  return serving;
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'stitch-packaging-'));
  const packs = join(dir, 'packs');
  app = join(dir, 'app');
  mkdirSync(packs);
  mkdirSync(app);
  await run('npm', ['pack', '--silent', '--pack-destination', packs, '-w', 'packages/contract', '-w', 'packages/kernel', '-w', 'packages/collector', '-w', 'packages/eslint-plugin'], {
    cwd: REPO,
    maxBuffer: 16 * 1024 * 1024,
  });
  const tarballs = readdirSync(packs).map((f) => join(packs, f));
  writeFileSync(join(app, 'package.json'), JSON.stringify({ name: 'adopter', private: true, type: 'module' }));
  // The kernel's optional peers too, so that every subpath can be imported.
  const peers = Object.entries(kernelPkg.peerDependencies).map(([name, range]) => `${name}@${range}`);
  // The plugin's peer, and the parser its README pairs it with.
  const lint = [`eslint@${rootPkg.devDependencies.eslint}`, `typescript-eslint@${rootPkg.devDependencies['typescript-eslint']}`];
  // What most adopters already run, for the integration mode (@stitch/kernel/otel).
  const sdk = ['@opentelemetry/sdk-node', '@opentelemetry/auto-instrumentations-node'].map((name) => `${name}@${kernelPkg.devDependencies[name]}`);
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error', ...tarballs, ...peers, ...lint, ...sdk], {
    cwd: app,
    maxBuffer: 16 * 1024 * 1024,
    // Nothing from the workspace may leak in.
    env: { ...process.env, npm_config_workspaces: 'false' },
  });
}, 600_000);

afterAll(() => {
  serve?.kill('SIGKILL');
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the packed packages, installed outside the workspace', () => {
  it('are real directories holding built JavaScript, a README and a license, not links into the repo', () => {
    for (const name of ['contract', 'kernel', 'collector', 'eslint-plugin']) {
      const root = join(app, 'node_modules/@stitch', name);
      expect(lstatSync(root).isSymbolicLink()).toBe(false);
      expect(readdirSync(root)).toEqual(expect.arrayContaining(['dist', 'LICENSE', 'README.md', 'package.json']));
      expect(readdirSync(root)).not.toContain('src');
    }
    expect(readdirSync(join(app, 'node_modules/@stitch/collector/ui-dist'))).toContain('index.html');
    // The alerting rules docs/metrics.md points to ship with each package, without their tests.
    expect(readdirSync(join(app, 'node_modules/@stitch/kernel/alerts'))).toEqual(['stitch-service.rules.yml']);
    expect(readdirSync(join(app, 'node_modules/@stitch/collector/alerts'))).toEqual(['stitch-collector.rules.yml']);
  });

  it('import every public subpath of the kernel', async () => {
    const subpaths = Object.keys(kernelPkg.exports).map((k) => (k === '.' ? '@stitch/kernel' : `@stitch/kernel/${k.slice(2)}`));
    const script = `for (const s of ${JSON.stringify(subpaths)}) { const m = await import(s); if (Object.keys(m).length === 0) throw new Error(s + ' exports nothing'); } console.log('ok');`;
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], { cwd: app });
    expect(stdout.trim()).toBe('ok');
  });

  it('lint with the plugin’s recommended config: a domain file making its own trace id is an error', async () => {
    writeFileSync(
      join(app, 'eslint.config.js'),
      "import tseslint from 'typescript-eslint';\nimport stitch from '@stitch/eslint-plugin';\nexport default tseslint.config(...tseslint.configs.recommended, ...stitch.configs.recommended);\n",
    );
    mkdirSync(join(app, 'src/domain'), { recursive: true });
    writeFileSync(join(app, 'src/domain/order.ts'), "import { randomUUID } from 'node:crypto';\nexport const traceId: string = randomUUID();\n");
    const eslint = join(app, 'node_modules/eslint/bin/eslint.js');
    // ESLint exits 1 when it finds errors; the JSON report is on stdout either way.
    const failed = await run(process.execPath, [eslint, '--format', 'json', 'src'], { cwd: app }).then(
      () => undefined,
      (error: { stdout: string }) => error,
    );
    const [result] = JSON.parse(failed?.stdout ?? '[]') as { messages: { ruleId: string | null }[] }[];
    expect(result?.messages.map((m) => m.ruleId)).toEqual(['stitch/no-id-generation']);
  });

  it('run `stitch --version` and `stitch --help` from the installed package', async () => {
    expect((await stitch(['--version'])).stdout.trim()).toBe(collectorPkg.version);
    expect((await stitch(['--help'])).stdout).toMatch(/^ {2}slow +\S/m);
  });

  it('trace a small Express service into `stitch serve` and read its trace back with the CLI, and serve the UI', async () => {
    const { url, token } = await installedServe();
    writeFileSync(
      join(app, 'service.mjs'),
      `import express from 'express';
import { createStitch, withContext } from '@stitch/kernel';
import { stitchExpress } from '@stitch/kernel/edge/express';
const stitch = createStitch();
const edge = stitchExpress();
const app = express();
app.use(edge.middleware);
app.use((req, res, next) => withContext({ tenantId: '11111111-1111-4111-8111-111111111111' }, next));
app.get('/orders/:id', (req, res) => { stitch.logger.info({ id: req.params.id }, 'order read'); res.json({ id: req.params.id }); });
app.use(edge.notFound);
app.use(edge.errorHandler);
const server = app.listen(0, async () => {
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/orders/42');
  console.log('RESULT', res.status, res.headers.get('x-trace-id'));
  server.close();
  await stitch.shutdown();
});
`,
    );
    const { stdout } = await run(process.execPath, ['service.mjs'], {
      cwd: app,
      env: { ...process.env, OTEL_SERVICE_NAME: 'adopter', OTEL_EXPORTER_OTLP_ENDPOINT: url, NODE_ENV: 'production' },
    });
    // The service's own log lines go to stdout too (pino); the result is the line marked RESULT.
    const [, status, traceId] = stdout.split('\n').find((l) => l.startsWith('RESULT '))!.split(' ');
    expect(status).toBe('200');
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);

    const env = { STITCH_URL: url, STITCH_TOKEN: token };
    let answer: { spans: { service: string | null; tenantId: string | null; route?: string | null; name: string }[] } | undefined;
    for (let i = 0; i < 40 && !answer; i++) {
      answer = await stitch(['trace', traceId!, '--json'], env).then(
        (r) => JSON.parse(r.stdout) as NonNullable<typeof answer>,
        () => undefined,
      );
      if (!answer) await new Promise((r) => setTimeout(r, 250));
    }
    expect(answer?.spans.length).toBeGreaterThan(0);
    const root = answer!.spans.find((s) => s.name.includes('/orders/:id'));
    expect(root).toMatchObject({ service: 'adopter', tenantId: '11111111-1111-4111-8111-111111111111' });

    // The same trace as an API answer, as the UI fetches it.
    const api = await fetch(`${url}/api/traces/${traceId}`, { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(200);
    expect(((await api.json()) as { spans: unknown[] }).spans).toHaveLength(answer!.spans.length);

    const ui = await fetch(`${url}/ui/`);
    expect(ui.status).toBe(200);
    expect(await ui.text()).toContain('<div id="app"');
  }, 120_000);

  it('run inside the user’s own NodeSDK with auto-instrumentations: one server span per request, one client span per outgoing call, the log line once', async () => {
    const { url: serveUrl, token: readToken } = await installedServe();
    // As docs/adopt.md starts it: the ESM hook first, then the SDK with Stitch's pieces.
    writeFileSync(join(app, 'hook.mjs'), "import { register } from 'node:module';\nregister('@opentelemetry/instrumentation/hook.mjs', import.meta.url);\n");
    writeFileSync(
      join(app, 'instrumentation.mjs'),
      `import { NodeSDK } from '@opentelemetry/sdk-node';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { stitchSdkOptions } from '@stitch/kernel/otel';
globalThis.sdk = new NodeSDK({ ...stitchSdkOptions(), instrumentations: [getNodeAutoInstrumentations()] });
globalThis.sdk.start();
`,
    );
    writeFileSync(
      join(app, 'sdk-service.mjs'),
      `import express from 'express';
import { withContext } from '@stitch/kernel';
import { loadConfig } from '@stitch/kernel/config';
import { stitchExpress } from '@stitch/kernel/edge/express';
import { installHttpOut } from '@stitch/kernel/http-out';
import { createLoggerFromConfig } from '@stitch/kernel/logs';
const { logger, shutdown } = createLoggerFromConfig(loadConfig());
installHttpOut();
const edge = stitchExpress();
const app = express();
app.use(edge.middleware);
app.use((req, res, next) => withContext({ tenantId: 'acme' }, next));
app.get('/price', (req, res) => res.json({ price: 42 }));
app.get('/orders/:id', async (req, res) => {
  const { price } = await (await fetch('http://127.0.0.1:' + server.address().port + '/price')).json();
  logger.info({ id: req.params.id }, 'order read');
  res.json({ id: req.params.id, price });
});
app.use(edge.notFound);
app.use(edge.errorHandler);
const server = app.listen(0, '127.0.0.1', async () => {
  const res = await fetch('http://127.0.0.1:' + server.address().port + '/orders/42');
  console.log('RESULT', res.status, res.headers.get('x-trace-id'));
  server.close();
  await shutdown();
  await globalThis.sdk.shutdown();
});
`,
    );
    const { stdout } = await run(process.execPath, ['--import', './hook.mjs', '--import', './instrumentation.mjs', 'sdk-service.mjs'], {
      cwd: app,
      env: { ...process.env, OTEL_SERVICE_NAME: 'adopter-sdk', OTEL_EXPORTER_OTLP_ENDPOINT: serveUrl, NODE_ENV: 'production' },
    });
    const [, status, traceId] = stdout.split('\n').find((l) => l.startsWith('RESULT '))!.split(' ');
    expect(status).toBe('200');
    const lines = stdout.split('\n').filter((l) => l.includes('"order read"'));
    expect(lines).toHaveLength(1);
    expect(lines[0]!.split('"trace_id":')).toHaveLength(2);

    type Span = { kind: number; name: string; parentSpanId: string | null; spanId: string; tenantId: string | null; attributes: Record<string, unknown> };
    let trace: { spans: Span[]; logs: { body: string }[] } | undefined;
    for (let i = 0; i < 40; i++) {
      const res = await fetch(`${serveUrl}/api/traces/${traceId}`, { headers: { authorization: `Bearer ${readToken}` } });
      trace = res.status === 200 ? ((await res.json()) as NonNullable<typeof trace>) : undefined;
      // Both servers' spans (the order and the price it fetched) and the log line.
      if (trace && trace.spans.filter((s) => s.kind === 2).length >= 2 && trace.logs.length > 0) break;
      await new Promise((r) => setTimeout(r, 250));
    }
    const servers = trace!.spans.filter((s) => s.kind === 2);
    expect(servers.map((s) => s.name).sort()).toEqual(['GET /orders/:id', 'GET /price']);
    expect(servers.every((s) => s.tenantId === 'acme')).toBe(true);
    // The order's one outgoing call: one client span, instrumentation-undici's, with Stitch's budget mark; the price's server span under it.
    const order = servers.find((s) => s.name === 'GET /orders/:id')!;
    const inOrder = new Set([order.spanId]);
    for (const s of trace!.spans) if (s.parentSpanId !== null && inOrder.has(s.parentSpanId)) inOrder.add(s.spanId);
    const clients = trace!.spans.filter((s) => s.kind === 3 && inOrder.has(s.spanId));
    expect(clients).toHaveLength(1);
    expect(clients[0]!.attributes['stitch.component']).toBe('external');
    expect(servers.find((s) => s.name === 'GET /price')!.parentSpanId).toBe(clients[0]!.spanId);
    expect(trace!.logs.map((l) => l.body)).toEqual(['order read']);
  }, 120_000);
});
