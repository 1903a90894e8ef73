import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `source` export
// condition, so tests never run against a stale build. Vitest also hands these to Node as
// `--conditions` for external modules: `import` must not be among them, or a CommonJS
// `require()` of a dual package gets its ESM build (pg's `require('pg-pool')` then fails with
// "Class extends value [object Module]"). Vite adds `import`/`require` per import kind itself.
const conditions = ['source', 'node', 'default'];

const ANSWERS_E2E = 'test/answers-e2e.test.ts';

/**
 * Every questions/*.test.ts, and the store's metrics: each case passes on ClickHouse too, or the
 * file registers it on DuckDB only, saying why.
 */
const CLICKHOUSE_TESTS = [
  'packages/collector/src/questions/{slow,errors,queries-top,violations,webhook-retries,retries,job-links}.test.ts',
  'packages/collector/src/questions/{debug-questions,ui-questions,trace-search,trace-search-filters}.test.ts',
  'packages/collector/src/questions/{status,entry-and-housekeeping,failure-questions-kernel,span-attribute-filter}.test.ts',
  'packages/collector/src/metrics/collector-metrics.test.ts',
];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Two cores on every machine here (CI included): more workers only thrash.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'default',
          include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'test/**/*.test.ts'],
          exclude: ['**/node_modules/**', '**/dist/**', ANSWERS_E2E],
        },
      },
      // `npm test` runs the answers end to end alone, after the rest (`--project answers`, once per
      // engine): its answers rank by latency (a planted 200 ms against a 2 ms one), and beside the
      // ingest stress tests (40 concurrent bodies, a 250k-span body) its service was starved for
      // over 500 ms at a time, which planted faults of its own (CI red twice on one run's p95). A
      // project of its own, because a CLI --exclude does not reach the projects' own file lists.
      { extends: true, test: { name: 'answers', include: [ANSWERS_E2E] } },
      // The question tests again with the collector on ClickHouse (chdb, in process): the same
      // fixtures and the same expected answers on both engines (issue 19, docs/past-one-machine.md).
      {
        extends: true,
        test: { name: 'clickhouse', include: CLICKHOUSE_TESTS, env: { STITCH_TEST_STORE: 'clickhouse' } },
      },
    ],
  },
});
