// Every TypeScript example a reader may copy from the README, docs/*.md and the packages' and
// examples' READMEs is type-checked, in one `tsc --noEmit` run (strict, the repo's base
// tsconfig), so an example cannot drift from the API it shows. The README's kernel example is a
// complete program: it is also run, and what it does is asserted. The README's links must point
// at files that exist.
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
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

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

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
    s.on('error', rej);
  });
}

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
      await expect.poll(() => stdout, { timeout: 20_000, interval: 100 }).toContain('listening');
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
  }, 40_000);
});
