/**
 * Latency of every question in the registry (the API endpoint the CLI command and the UI call) on a store of at
 * least 1M spans across 50 tenants, as a platform-wide token and as a tenant-bound token.
 *
 * The store comes from STITCH_BENCH_STORE if set, else /tmp/stitch-bench-1m-v2.duckdb, generated
 * on first run (`npm run gen-store -w packages/collector -- --spans 1000000 --tenants 50
 * --hours 24 --out /tmp/stitch-bench-1m-v2.duckdb`, about a minute on two idle cores) and
 * reused after. STITCH_BENCH_STORE may be a DuckDB file or a `chdb:///dir` store (ClickHouse;
 * gen-store fills both engines with the same rows in one run, see its header). It is copied
 * before the run, so audit rows never accumulate in it.
 *
 * Each question runs once to warm up, then ROUNDS times; prints the median and max wall ms and
 * the median CPU ms of this process (server, DuckDB's threads and the client together): on a
 * shared two-core machine wall time swings with other work, CPU time much less.
 *
 * Run: `npm run bench -- collector-queries` (env BENCH_ROUNDS, STITCH_BENCH_STORE, BENCH_SPANS,
 * BENCH_QUESTIONS=errors,slow for a subset by registry name).
 */
import { copyFileSync, cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateStores } from '../packages/collector/scripts/gen-store.js';
import { resolveCollectorConfig } from '../packages/collector/src/config/collector-config.js';
import { tenantIds } from '../packages/collector/src/internal/synthetic-workload.js';
import { tableFor } from '../packages/collector/src/questions/engine-sql.js';
import { requestFor } from '../packages/collector/src/questions/question.js';
import { QUESTIONS } from '../packages/collector/src/questions/registry/index.js';
import { startCollector } from '../packages/collector/src/server/create-collector.js';
import { chdbDirectory } from '../packages/collector/src/store/clickhouse/chdb-client.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const SPANS = Number(process.env.BENCH_SPANS ?? 1_000_000);
const source = process.env.STITCH_BENCH_STORE ?? '/tmp/stitch-bench-1m-v2.duckdb';

const onChdb = source.startsWith('chdb:');
if (!existsSync(onChdb ? chdbDirectory(source) : source)) {
  console.log(`generating ${SPANS} spans into ${source} …`);
  const r = await generateStores({ out: [source], spans: SPANS, tenants: 50, hours: 24, seed: 42 });
  console.log(`generated ${r.spans} spans, ${r.logs} logs in ${r.seconds.toFixed(1)} s`);
}
const dir = mkdtempSync(join(tmpdir(), 'stitch-query-bench-'));
const data = join(dir, 'store.duckdb');
let store: string | undefined;
if (onChdb) {
  cpSync(chdbDirectory(source), join(dir, 'chdb'), { recursive: true });
  store = `chdb://${join(dir, 'chdb')}`;
} else {
  copyFileSync(source, data);
  if (existsSync(`${source}.wal`)) copyFileSync(`${source}.wal`, `${data}.wal`);
}

const collector = await startCollector(resolveCollectorConfig({ port: 0, data, store, retention: { checkIntervalSeconds: 3600, maxAgeHours: 10_000 } }));
const spans = tableFor(collector.store, 'spans');
const logs = tableFor(collector.store, 'logs');
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  const [counts] = await collector.store.query(`SELECT (SELECT count(*) FROM ${spans}) AS spans, (SELECT count(DISTINCT tenant_id) FROM ${spans}) AS tenants, (SELECT count(*) FROM ${logs}) AS logs`);
  const [busiest] = await collector.store.query(`SELECT tenant_id FROM ${spans} GROUP BY tenant_id ORDER BY count(*) DESC LIMIT 1`);
  const tenant = String(busiest?.tenant_id ?? tenantIds(1)[0]);
  const [sample] = await collector.store.query(
    `SELECT s.trace_id, s.run_id, s.parent_trace_id FROM ${spans} s WHERE s.tenant_id = $1 AND s.run_id IS NOT NULL LIMIT 1`,
    [tenant],
  );
  const [slowTrace] = await collector.store.query(`SELECT trace_id FROM ${spans} WHERE tenant_id = $1 AND kind = 2 ORDER BY duration_ms DESC LIMIT 1`, [tenant]);
  const platform = collector.tokens.create('admin', null).token;
  const bound = { 'traces:read': collector.tokens.create('traces:read', tenant).token, 'logs:read': collector.tokens.create('logs:read', tenant).token };
  // What each question is asked with: its path parameters from the store, a 25 h window for the
  // rest. Every question in the registry must be here, so a new one cannot go unmeasured. The
  // window ends where the store's spans end, as a live store's does at "now": an hour after
  // gen-store, a window ending at the clock would start its newest hour empty, and the trace
  // search (which looks in the window's tail first) would measure its fallback instead.
  const [newest] = await collector.store.query(`SELECT max(start_ns) AS ns FROM ${spans}`);
  const untilMillis = newest?.ns === null || newest?.ns === undefined ? Date.now() : Number(BigInt(String(newest.ns)) / 1_000_000n) + 1;
  const window = { since: new Date(untilMillis - 25 * 3_600_000).toISOString(), until: new Date(untilMillis).toISOString() };
  const paramsFor: Record<string, Record<string, string>> = {
    trace: { traceId: String(slowTrace?.trace_id) },
    job: { id: String(sample?.run_id) },
    request: { traceId: String(sample?.parent_trace_id) },
    slow: { ...window, tenant },
    status: {},
    audit: {},
  };
  // The ways of asking a question that take another path through its SQL: "which tenant
  // experienced this failure" is `errors --grep`, and search by span name and by attribute (the
  // UI's search page) each filter on a column of their own.
  const variants: [label: string, question: string, params: Record<string, string>][] = [
    ['errors --grep', 'errors', { ...window, grep: 'internal error' }],
    ['search name=', 'search', { ...window, name: 'payments' }],
    ['search attr=', 'search', { ...window, attr: 'server.address=payments.example' }],
  ];
  const questions: [string, string, string][] = [];
  const only = process.env.BENCH_QUESTIONS?.split(',');
  const asks = [...QUESTIONS.map((q) => [q.name, q, paramsFor[q.name] ?? window] as const), ...variants.map(([label, name, params]) => [label, QUESTIONS.find((q) => q.name === name)!, params] as const)];
  for (const [label, q, params] of asks.filter(([, q]) => only === undefined || only.includes(q.name))) {
    const { path, query } = requestFor(q.route, params);
    const url = `${path}?${new URLSearchParams(query as Record<string, string>).toString()}`;
    questions.push([label, url, platform]);
    // A tenant-bound token of the question's scope (admin questions have none: platform only).
    if (q.scope !== 'admin') questions.push([`${label} (tenant token)`, url, bound[q.scope === 'logs:read' ? 'logs:read' : 'traces:read']]);
  }
  console.log(`store: ${String(counts?.spans)} spans, ${String(counts?.logs)} logs, ${String(counts?.tenants)} tenants; busiest tenant ${tenant}; window ${window.since} – ${window.until}`);
  console.log(`${'question'.padEnd(30)} ${'median ms'.padStart(10)} ${'max ms'.padStart(8)} ${'cpu ms'.padStart(8)}`);
  for (const [name, path, token] of questions) {
    const times: number[] = [];
    const cpu: number[] = [];
    for (let i = 0; i <= ROUNDS; i++) {
      const cpuBefore = process.cpuUsage();
      const started = performance.now();
      const res = await fetch(`${collector.url}${path}`, { headers: { authorization: `Bearer ${token}` } });
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`${name}: ${res.status}`);
      const used = process.cpuUsage(cpuBefore);
      if (i > 0) {
        times.push(performance.now() - started);
        cpu.push((used.user + used.system) / 1000);
      }
    }
    console.log(
      `${name.padEnd(30)} ${median(times).toFixed(1).padStart(10)} ${Math.max(...times).toFixed(1).padStart(8)} ${median(cpu).toFixed(1).padStart(8)}`,
    );
  }
} finally {
  await collector.close();
  rmSync(dir, { recursive: true, force: true });
}
