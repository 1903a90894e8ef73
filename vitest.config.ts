import { defineConfig } from 'vitest/config';

// Workspace packages resolve to their TypeScript sources through the `source` export
// condition, so tests never run against a stale build. Vitest also hands these to Node as
// `--conditions` for external modules: `import` must not be among them, or a CommonJS
// `require()` of a dual package gets its ESM build (pg's `require('pg-pool')` then fails with
// "Class extends value [object Module]"). Vite adds `import`/`require` per import kind itself.
const conditions = ['source', 'node', 'default'];

export default defineConfig({
  resolve: { conditions },
  ssr: { resolve: { conditions, externalConditions: ['source'] } },
  test: {
    include: ['packages/*/src/**/*.test.ts', 'packages/*/test/**/*.test.ts', 'examples/*/src/**/*.test.ts', 'test/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    // Two cores on every machine here (CI included): more workers only thrash. `npm test` runs
    // test/answers-e2e.test.ts alone, after the rest: its answers rank by latency (a planted
    // 200 ms against a 2 ms one), and beside the ingest stress tests (40 concurrent bodies, a
    // 250k-span body) its service was starved for over 500 ms at a time, which planted faults
    // of its own (CI red twice on one run's p95).
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
