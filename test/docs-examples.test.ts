// Every TypeScript example a reader may copy from the README, docs/*.md and the packages' and
// examples' READMEs is type-checked, in one `tsc --noEmit` run (strict, the repo's base
// tsconfig), so an example cannot drift from the API it shows. The README's kernel example is a
// complete program: it is also run, and what it does is asserted. Every other example is run too
// (RUNS, at the end: with a prelude giving real values to what its `given` declares) or listed as
// compile-only with the reason (COMPILE_ONLY: a fixed port, a remote host, a default Redis
// prefix…, and where the same calls run instead). The README's links must point at files that exist.
//
// How a block is treated is said by an HTML comment on the line right before its fence (readers
// of the rendered page do not see it):
//   (no comment)                     a complete module: compiled as it stands.
//   <!-- example: fragment -->       a piece of a page that uses names the page introduced in
//                                    prose or an earlier block. It is compiled as a module of its
//                                    own, after the TypeScript declarations the comment may carry
//                                    after `given` (`<!-- example: fragment given declare const
//                                    db: Database; -->`), so those names are type-checked too.
//   <!-- example: run -->            a complete program; compiled, and run by a test below.
// Blocks are written under test/.docs-examples/ (inside the repository, so `@stitch/*` and the
// dependencies resolve as they do for the repo's own code; a dot folder, so the repo's
// tsconfig, vitest and eslint globs never pick it up) and removed afterwards.
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from './helpers/free-port.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const workDir = join(root, 'test', '.docs-examples');

interface Example {
  file: string; // repository-relative markdown path
  line: number; // 1-based line of the opening fence
  kind: 'module' | 'fragment' | 'run';
  given: string;
  code: string;
}

function markdownFiles(): string[] {
  const list = ['README.md', 'examples/approvals/README.md'];
  for (const f of readdirSync(join(root, 'docs'))) if (f.endsWith('.md')) list.push(`docs/${f}`);
  for (const p of readdirSync(join(root, 'packages'))) if (existsSync(join(root, 'packages', p, 'README.md'))) list.push(`packages/${p}/README.md`);
  return list;
}

function extractExamples(file: string, text: string): Example[] {
  const lines = text.split('\n');
  const out: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)```(ts|typescript)\s*$/.exec(lines[i]!);
    if (open === null) continue;
    const indent = open[1]!.length;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]!); i++) body.push(lines[i]!.slice(indent));
    const marker = /^\s*<!--\s*example:\s*(fragment|run)(?:\s+given\s+([\s\S]*?))?\s*-->\s*$/.exec(lines[start - 1] ?? '');
    out.push({ file, line: start + 1, kind: (marker?.[1] as 'fragment' | 'run' | undefined) ?? 'module', given: marker?.[2] ?? '', code: body.join('\n') });
  }
  return out;
}

const examples = markdownFiles().flatMap((f) => extractExamples(f, readFileSync(join(root, f), 'utf8')));
const fileName = (e: Example): string => `${e.file.replace(/[/.]/g, '_')}_L${e.line}.ts`;

afterAll(() => rmSync(workDir, { recursive: true, force: true }));

function runTsc(): Promise<{ code: number; output: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(workDir, 'tsconfig.json')], { cwd: root, maxBuffer: 16 << 20 }, (err, stdout, stderr) =>
      res({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, output: stdout + stderr }),
    );
  });
}

describe('the code examples of the README and the docs', () => {
  let tscOutput = '';
  let tscCode = -1;
  beforeAll(async () => {
    rmSync(workDir, { recursive: true, force: true });
    mkdirSync(workDir, { recursive: true });
    writeFileSync(join(workDir, 'tsconfig.json'), JSON.stringify({ extends: '../../tsconfig.base.json', compilerOptions: { noEmit: true, declaration: false }, include: ['*.ts'] }));
    for (const e of examples) {
      // `export {}` keeps each block a module of its own (a block without imports would
      // otherwise be a global script, and two blocks declaring `db` would collide).
      const given = e.given === '' ? '' : `${e.given}\n`;
      writeFileSync(join(workDir, fileName(e)), `${given}${e.code}\nexport {};\n`);
    }
    ({ code: tscCode, output: tscOutput } = await runTsc());
  }, 180_000);

  it('finds the examples (a fence or marker typo would silently drop them)', () => {
    expect(examples.filter((e) => e.file === 'README.md').length).toBeGreaterThanOrEqual(2);
    expect(examples.some((e) => e.kind === 'run')).toBe(true);
  });

  it.each(examples.map((e) => [`${e.file}:${e.line}`, e] as const))('%s type-checks', (_where, e) => {
    const errors = tscOutput.split('\n').filter((l) => l.startsWith(fileName(e)) || l.includes(`.docs-examples/${fileName(e)}`));
    expect(errors, `tsc on ${e.file}:${e.line}:\n${errors.join('\n')}`).toEqual([]);
  });

  it('no error outside the examples either (a broken import chain shows up here)', () => {
    expect(tscOutput.split('\n').filter((l) => /error TS\d+/.test(l))).toEqual([]);
    // …and tsc itself ran and passed: an unfound tsc or tsconfig prints no `error TS` line.
    expect(tscCode, tscOutput).toBe(0);
  });
});

describe('the README', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');

  it('links only to files that exist', () => {
    const targets = [...readme.matchAll(/\]\(([^)\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t) && !t.startsWith('#'));
    expect(targets.length).toBeGreaterThan(5);
    const missing = targets.filter((t) => !existsSync(resolve(root, t.split('#')[0]!)));
    expect(missing).toEqual([]);
  });

  it("links within the page only to headings it has (GitHub's anchors)", () => {
    const anchors = new Set([...readme.matchAll(/^#+ (.+)$/gm)].map((m) => m[1]!.toLowerCase().replace(/[^\w\- ]/g, '').replace(/ /g, '-')));
    const links = [...readme.matchAll(/\]\((#[^)\s]+)\)/g)].map((m) => m[1]!.slice(1));
    expect(links.length).toBeGreaterThan(0);
    expect(links.filter((l) => !anchors.has(l))).toEqual([]);
  });

  it('opens with the set-up commands, then the question table', () => {
    const setup = readme.indexOf('```sh\nnpm install');
    const table = readme.indexOf('<!-- questions-table');
    expect(setup).toBeGreaterThan(-1);
    expect(readme.slice(setup, readme.indexOf('```\n', setup + 5))).toMatch(/npm install[\s\S]*npm start[\s\S]*npm test/);
    // Nothing but the table's heading and its introduction between the two: no other section, no other code.
    const between = readme.slice(readme.indexOf('```\n', setup + 5) + 4, table);
    expect(between).not.toContain('```');
    expect(between.match(/^## /gm) ?? []).toHaveLength(1);
  });
});


describe("the README's kernel example, run", () => {
  const example = examples.find((e) => e.file === 'README.md' && e.kind === 'run');

  it('serves a tenant its order, with a trace id on the answer and on the log line', async () => {
    expect(example, 'README.md has no `<!-- example: run -->` block').toBeDefined();
    mkdirSync(workDir, { recursive: true });
    const path = join(workDir, 'readme-kernel-run.ts');
    writeFileSync(path, example!.code);
    const port = await freePort();
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'source', path], {
      cwd: root,
      // No collector runs in the test: nothing is exported, everything else is as in a service.
      env: { ...process.env, PORT: String(port), OTEL_TRACES_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none', NODE_ENV: 'development' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      // PGlite's start-up takes 10 s and more on a loaded two-core machine.
      await expect.poll(() => stdout, { timeout: 60_000, interval: 100 }).toContain('listening');
      const res = await fetch(`http://127.0.0.1:${port}/orders/1`, { headers: { 'x-tenant-id': 'acme' } });
      expect(res.status, stderr).toBe(200);
      expect(await res.json()).toMatchObject({ id: 1, tenant_id: 'acme' });
      const traceId = res.headers.get('x-trace-id');
      expect(traceId).toMatch(/^[0-9a-f]{32}$/);
      await expect.poll(() => stdout, { timeout: 5_000, interval: 50 }).toContain('order read');
      const line = stdout.split('\n').find((l) => l.includes('"order read"'));
      expect(JSON.parse(line!)).toMatchObject({ trace_id: traceId, tenant_id: 'acme', route_id: '/orders/:id', found: 1 });
      // Another tenant's request does not see acme's order.
      const other = await fetch(`http://127.0.0.1:${port}/orders/1`, { headers: { 'x-tenant-id': 'globex' } });
      expect(other.status).toBe(404);
    } finally {
      child.kill('SIGTERM');
    }
  }, 90_000);
});

/**
 * Beyond the type-check, every example is either run or compile-only, said here with the reason,
 * so a new example needs a decision. A run writes the block between a prelude that gives real
 * values to what its `given` only declares (embedded defaults: PGlite, the in-process jobs; or
 * the machine's real Postgres) and an epilogue that checks what the block did and lets the
 * process end, then runs it as its own process (no NODE_ENV: strict mode off, as for a user who
 * sets none, unless the plan turns it on) and expects exit 0 and the printed lines.
 */
interface RunPlan {
  readonly file: string;
  /** A line of the block, telling it from the page's other blocks. */
  readonly match: string;
  readonly prelude?: string;
  readonly epilogue?: string;
  readonly prints?: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
}

interface CompileOnly {
  readonly file: string;
  readonly match: string;
  readonly why: string;
}

const quiet = { OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none' };
// A span made after start-up records: the provider the block registered is in force.
const tracerRecords = `
import { trace as docsTrace } from '@opentelemetry/api';
const docsProbe = docsTrace.getTracer('docs').startSpan('probe');
if (!docsProbe.isRecording()) throw new Error('no recording tracer provider was registered');
docsProbe.end();
console.log('tracer provider registered');`;

const RUNS: readonly RunPlan[] = [
  { file: 'docs/configuration.md', match: 'const config = loadConfig();', env: { OTEL_SERVICE_NAME: 'docs-config' }, epilogue: 'console.log(`service ${config.service.name}`);', prints: ['service docs-config'] },
  { file: 'docs/configuration.md', match: 'createLoggerFromConfig(loadConfig())', prelude: "const invoiceId = 'inv_42';", epilogue: 'await shutdown();', prints: ['"invoice sent"', '"invoiceId":"inv_42"', '"component":"billing"'] },
  // Its config names no exporter, so it would try the default OTLP endpoint at shutdown: exit instead.
  { file: 'docs/configuration.md', match: "OTEL_SEMCONV_STABILITY_OPT_IN: 'database/dup'", epilogue: `${tracerRecords}\nprocess.exit(0);`, prints: ['tracer provider registered'] },
  {
    file: 'docs/data-path.md',
    match: "createPgDatabase(new pg.Pool({ connectionString })",
    // The machine's Postgres, in a schema of its own that the run drops again.
    prelude: `
import docsPg from 'pg';
const docsSchema = \`docs_example_\${process.pid}_\${Date.now()}\`;
const docsAdmin = new docsPg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
await docsAdmin.connect();
await docsAdmin.query(\`CREATE SCHEMA \${docsSchema}; CREATE TABLE \${docsSchema}.invoices (id text PRIMARY KEY); INSERT INTO \${docsSchema}.invoices VALUES ('inv_1')\`);
const connectionString = \`postgres://postgres@127.0.0.1:5432/test?options=\${encodeURIComponent(\`-c search_path=\${docsSchema}\`)}\`;
const id = 'inv_1';`,
    epilogue: `
const docsRead = await db.query('SELECT id FROM invoices WHERE id = $1', [id]);
await docsAdmin.query(\`DROP SCHEMA \${docsSchema} CASCADE\`);
await docsAdmin.end();
console.log(\`read \${docsRead.rows.length} invoice\`);
process.exit(0); // the block's pool is its own: its idle clients would hold the process for 10 s`,
    prints: ['read 1 invoice'],
    env: quiet,
  },
  {
    file: 'docs/drift-traps.md',
    match: "await runInNewContext({ name: 'migrate' }, () => seed(db));",
    // Under strict mode, which the page is about: both ways out of it must pass.
    env: { ...quiet, STITCH_STRICT: 'true' },
    prelude: `
import { PGlite } from '@electric-sql/pglite';
import { runInNewContext, withoutStrictMode } from '@stitch/kernel';
import { createPgliteDatabase } from '@stitch/kernel/db/pglite';
import { createJobs, inProcessJobEngine } from '@stitch/kernel/jobs';
const db = createPgliteDatabase(new PGlite());
const jobs = createJobs({ engine: inProcessJobEngine() });
const seed = async (d: typeof db): Promise<void> => void (await d.query('CREATE TABLE seeded (id int)'));
const tenantId = 'acme';`,
    epilogue: `
await db.query('SELECT * FROM seeded'); // fails unless seed ran
console.log(\`enqueued \${jobs.stats().byName['nightly-report']?.enqueued ?? 0}\`);
await jobs.close();`,
    prints: ['enqueued 1'],
  },
  {
    file: 'docs/webhooks.md',
    match: 'function receive(req: IncomingMessage, res: ServerResponse, rawBody: Buffer): void {',
    prelude: `
import { createServer as docsServer } from 'node:http';
import { newWebhookSecret, webhookHeaders } from '@stitch/kernel/webhooks';
const current = newWebhookSecret();
const previous = newWebhookSecret();`,
    // A delivery signed with the previous secret (a rotation in progress) and one not signed at all.
    epilogue: `
const docsReceiver = docsServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => receive(req, res, Buffer.concat(chunks)));
});
await new Promise<void>((ready) => docsReceiver.listen(0, '127.0.0.1', ready));
const docsUrl = \`http://127.0.0.1:\${(docsReceiver.address() as { port: number }).port}/\`;
const docsBody = '{"type":"invoice.paid"}';
const signed = await fetch(docsUrl, { method: 'POST', body: docsBody, headers: webhookHeaders({ id: 'msg_1', timestampSeconds: Math.floor(Date.now() / 1000), body: docsBody, secrets: [previous] }) });
const unsigned = await fetch(docsUrl, { method: 'POST', body: docsBody });
console.log(\`signed \${signed.status}, unsigned \${unsigned.status} \${await unsigned.text()}\`);
docsReceiver.close();`,
    prints: ['signed 204, unsigned 401 missing_header'],
  },
  {
    file: 'docs/metrics.md',
    match: 'createMetrics({ stitch, bounds: {',
    env: quiet,
    prelude: "import { createStitch } from '@stitch/kernel';\nimport { createMetrics } from '@stitch/kernel/metrics';\nconst stitch = createStitch();",
    epilogue: "await stitch.shutdown();\nconsole.log('bounds accepted');",
    prints: ['bounds accepted'],
  },
  {
    file: 'docs/metrics.md',
    match: 'const health = createHealth({',
    // The machine's Postgres, NATS and Redis; the outbox in a schema of its own, dropped again.
    env: quiet,
    prelude: `
import { createServer as docsServer } from 'node:http';
import express from 'express';
import { Redis } from 'ioredis';
import { connect } from 'nats';
import pg from 'pg';
import { createStitch } from '@stitch/kernel';
import { createPgDatabase } from '@stitch/kernel/db/pg';
import { createOutbox } from '@stitch/kernel/outbox';
const docsSchema = \`docs_health_\${process.pid}_\${Date.now()}\`;
const stitch = createStitch();
const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 2 });
const outbox = createOutbox({ db: createPgDatabase(pool), schema: docsSchema });
await outbox.migrate();
const nc = await connect({ servers: '127.0.0.1:4222' });
const redis = new Redis({ host: '127.0.0.1', port: 6379, lazyConnect: true });
await redis.connect();
const docsPing = docsServer((_req, res) => res.end('pong'));
await new Promise<void>((ready) => docsPing.listen(0, '127.0.0.1', ready));
const PING_URL = \`http://127.0.0.1:\${(docsPing.address() as { port: number }).port}/\`;
const app = express();`,
    epilogue: `
const docsApp = app.listen(0, '127.0.0.1');
await new Promise<void>((ready) => docsApp.once('listening', () => ready()));
const docsAnswer = await fetch(\`http://127.0.0.1:\${(docsApp.address() as { port: number }).port}/readyz\`);
const docsBody = (await docsAnswer.json()) as { checks: { name: string; status: string }[] };
console.log(\`readyz \${docsAnswer.status}: \${docsBody.checks.map((c) => \`\${c.name} \${c.status}\`).join(', ')}\`);
if (docsBody.checks.length !== 6 || docsBody.checks.some((c) => c.status !== 'pass')) throw new Error('a check did not pass');
health.close();
await pool.query(\`DROP SCHEMA \${docsSchema} CASCADE\`);
await Promise.all([pool.end(), nc.close(), redis.quit(), stitch.shutdown()]);
docsApp.close();
docsPing.close();`,
    prints: ['readyz 200: '],
  },
  { file: 'docs/opentelemetry.md', match: 'new NodeSDK({ ...stitchSdkOptions(), instrumentations: [getNodeAutoInstrumentations()] }).start();', env: quiet, epilogue: `${tracerRecords}\nprocess.exit(0);`, prints: ['tracer provider registered'] },
  { file: 'README.md', match: 'new NodeSDK({ ...stitchSdkOptions(), instrumentations: [getNodeAutoInstrumentations()] }).start();', env: quiet, epilogue: `${tracerRecords}\nprocess.exit(0);`, prints: ['tracer provider registered'] },
  { file: 'docs/exporting.md', match: 'export function startTracingToTempo(tempoUrl: string) {', env: quiet, epilogue: `${tracerRecords}\nawait stitch.shutdown();`, prints: ['tracer provider registered'] },
];

const COMPILE_ONLY: readonly CompileOnly[] = [
  { file: 'README.md', match: "app.get('/orders/:id'", why: 'run, with its answers asserted, by "the README\'s kernel example, run" below' },
  ...['Express', 'Fastify', 'node:http', 'NodeSDK', 'logger'].map((_, i) => ({ file: 'docs/adopt.md', match: `#${i}`, why: 'each service runs as its own process exporting to a real collector in test/adopt-examples.test.ts' })),
  { file: 'docs/metrics.md', match: 'await metrics.listen({ port: 9464 });', why: 'binds the fixed port 9464, which no test may assume free; create-metrics.test.ts serves the same handler from node:http, Express and Fastify and listen({ port: 0 })' },
  { file: 'docs/metrics.md', match: 'createOtelMetrics({ stitch, meterProvider, outbox });', why: 'its OTLPMetricExporter posts to an OTLP endpoint on a timer; otel-metrics.test.ts runs createOtelMetrics on an in-memory reader' },
  { file: 'docs/jobs.md', match: 'bullmqJobEngine({ connection:', why: "BullMQ on the machine's Redis under BullMQ's default key prefix (tests use their own prefix and clean up: test/jobs-bullmq.test.ts, test/jobs-pg-boss.test.ts)" },
  { file: 'docs/webhooks.md', match: "url: 'https://hooks.example.com/in'", why: 'its dispatcher would deliver to https://hooks.example.com, and tests reach no network; test/webhooks.test.ts runs the same calls against a local receiver' },
  { file: 'docs/exporting.md', match: "new OTLPTraceExporter({ url: 'http://tempo:4317' })", why: 'exports over gRPC to tempo:4317, a host only a real deployment has' },
];

describe('the examples run, or say why not', () => {
  // docs/adopt.md's blocks are told apart by their position (`#0`…): they share their lines.
  const adopt = examples.filter((e) => e.file === 'docs/adopt.md');
  const matches = (e: Example, plan: { file: string; match: string }): boolean =>
    e.file === plan.file && (e.file === 'docs/adopt.md' ? plan.match === `#${adopt.indexOf(e)}` : e.code.includes(plan.match));

  it('has a decision for every example, and each decision names exactly one example', () => {
    const plans = [...RUNS, ...COMPILE_ONLY];
    expect(examples.filter((e) => plans.filter((p) => matches(e, p)).length !== 1).map((e) => `${e.file}:${e.line}`)).toEqual([]);
    expect(plans.filter((p) => examples.filter((e) => matches(e, p)).length !== 1).map((p) => `${p.file}: ${p.match}`)).toEqual([]);
    // What the compile-only reasons point to exists.
    for (const p of COMPILE_ONLY) for (const [path] of p.why.matchAll(/test\/[\w./-]+\.test\.ts/g)) expect(existsSync(join(root, path)), `${p.file}: ${path}`).toBe(true);
  });

  it.each(RUNS.map((plan) => [`${plan.file}: ${plan.match}`, plan] as const))('%s runs', async (_where, plan) => {
    const example = examples.find((e) => matches(e, plan));
    expect(example).toBeDefined();
    mkdirSync(workDir, { recursive: true });
    const path = join(workDir, `run_${fileName(example!)}`);
    writeFileSync(path, `${plan.prelude ?? ''}\n${example!.code}\n${plan.epilogue ?? ''}\nexport {};\n`);
    const env: Record<string, string | undefined> = { ...process.env, STITCH_LOG_LEVEL: 'info', ...plan.env };
    delete env.NODE_ENV;
    const child = spawn(process.execPath, ['--import', 'tsx', '--conditions', 'source', path], { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const code = await new Promise<number | null>((done) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
      child.on('exit', (exitCode) => {
        clearTimeout(timer);
        done(exitCode);
      });
    });
    expect(code, `${plan.file}: exit ${String(code)}\n${stderr}\n${stdout}`).toBe(0);
    for (const line of plan.prints ?? []) expect(stdout, stderr).toContain(line);
    // PGlite's start-up alone takes seconds on a loaded two-core machine.
  }, 100_000);
});
