/**
 * The `stitch` binary as a user runs it: `node bin/stitch.js …` in a fresh process, running the
 * compiled dist/ (built by `npm install` and again by `npm test` before the tests run). The
 * commands' answers are tested in-process in run-cli.test.ts; this checks the binary around
 * them: exit codes, the version, a real answer over HTTP, and that a command loads only what it
 * needs (fastify and DuckDB are for `stitch serve` alone).
 */
import { execFile, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedTenant, type TenantScenario } from '../internal/seed-scenario.js';
import { startTestCollector, type TestCollector } from '../internal/test-collector.js';

const bin = fileURLToPath(new URL('../../bin/stitch.js', import.meta.url));
const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
const TENANT = '11111111-1111-4111-8111-111111111111';

// Preloaded into the child: on exit, writes which server-side packages were loaded (all are
// CommonJS, so they sit in require's cache even when imported from ESM).
const HEAVY = ['fastify', '@duckdb/node-api', '@fastify/static', 'protobufjs'];
const REPORT_LOADED = `data:text/javascript,${encodeURIComponent(`
  import { createRequire } from 'node:module';
  import { writeSync } from 'node:fs';
  process.on('exit', () => {
    const cache = Object.keys(createRequire(process.cwd() + '/').cache);
    const loaded = ${JSON.stringify(HEAVY)}.filter((name) => cache.some((p) => p.includes('/node_modules/' + name + '/')));
    writeSync(2, '\\nheavy-modules:' + JSON.stringify(loaded) + '\\n');
  });
`)}`;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the binary to its end (asynchronously: the collector it asks lives in this process). */
function stitch(args: string[], env: NodeJS.ProcessEnv = {}, nodeArgs: string[] = []): Promise<Run> {
  return new Promise((resolve) => {
    execFile(process.execPath, [...nodeArgs, bin, ...args], { env: { PATH: process.env.PATH, ...env } }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/** The heavy packages a command loaded, from the preload's report on stderr. */
async function heavyModulesLoaded(args: string[], env: NodeJS.ProcessEnv = {}): Promise<string[]> {
  const run = await stitch(args, env, ['--import', REPORT_LOADED]);
  const line = run.stderr.split('\n').find((l) => l.startsWith('heavy-modules:'));
  if (!line) throw new Error(`no module report from stitch ${args.join(' ')} (exit ${run.code}): ${run.stderr}`);
  return JSON.parse(line.slice('heavy-modules:'.length)) as string[];
}

let c: TestCollector;
let scenario: TenantScenario;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  c = await startTestCollector();
  scenario = await seedTenant(c.url, TENANT, 'alpha');
  env = { STITCH_URL: c.url, STITCH_TOKEN: c.token('admin') };
});
afterAll(async () => {
  await c.stop();
});

describe('bin/stitch.js', () => {
  it('`stitch --version` prints the package.json version and exits 0', async () => {
    const run = await stitch(['--version']);
    expect(run).toMatchObject({ code: 0, stdout: `${packageJson.version}\n` });
  });

  it('`stitch --help` exits 0 and lists the commands', async () => {
    const run = await stitch(['--help']);
    expect(run.code).toBe(0);
    for (const command of ['serve', 'token', 'slow', 'queries', 'trace']) expect(run.stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
  });

  it('an unknown command exits 2 and names it', async () => {
    const run = await stitch(['no-such-command']);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('unknown command no-such-command');
  });

  it('`stitch trace <id>` asks a running collector and prints the trace, exit 0', async () => {
    const run = await stitch(['trace', scenario.requestTraceId], env);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('GET /orders/:id');
    expect(run.stdout).toContain('orders.by_id');
  });

  it('a question the server refuses exits 1 with the server’s error code', async () => {
    const run = await stitch(['trace', scenario.requestTraceId], { ...env, STITCH_TOKEN: 'stitch_not-a-token' });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^stitch trace: STITCH_ERR_\w+/);
  });

  it.each(['--help', '--version', 'status', `slow --tenant ${TENANT}`])('`stitch %s` loads neither fastify nor DuckDB (only `stitch serve` does)', async (command) => {
    expect(await heavyModulesLoaded(command.split(' '), env)).toEqual([]);
  });

  it('`stitch serve` says where it receives, where the API is and where the web UI is, and the UI answers there', async () => {
    const child = spawn(process.execPath, [bin, 'serve', '--port', '0', '--grpc-port', 'off', '--data', join(c.dir, 'served.duckdb')], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    try {
      let stderr = '';
      const line = await new Promise<string>((resolve, reject) => {
        child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
          stderr += chunk;
          const found = /^stitch: receiving OTLP\/HTTP.*$/m.exec(stderr);
          if (found !== null && stderr.length > found.index + found[0].length) resolve(found[0]);
        });
        child.once('exit', (code) => reject(new Error(`stitch serve exited (${String(code)}): ${stderr}`)));
      });
      const ui = /web UI on (http:\/\/\S+\/ui\/);/.exec(line)?.[1];
      expect(line).toMatch(/^stitch: receiving OTLP\/HTTP on http:\/\/127\.0\.0\.1:\d+\/v1\/traces and \/v1\/logs; API on http:\/\/127\.0\.0\.1:\d+\/api; web UI on http:\/\/127\.0\.0\.1:\d+\/ui\/; store /);
      const page = await fetch(ui as string);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<div id="app">');
    } finally {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    }
  });

  it('`stitch serve` does load them (so the check above can see them)', async () => {
    // A store path under a file: DuckDB cannot open it, serve exits 1 after loading everything.
    const loaded = await heavyModulesLoaded(['serve', '--port', '0', '--data', join(c.dir, 'store.duckdb', 'nested.duckdb')]);
    expect(loaded).toEqual(expect.arrayContaining(['fastify', '@duckdb/node-api']));
  });
});
