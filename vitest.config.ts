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
    // Two cores on every machine here (CI included): more workers only thrash.
    maxWorkers: 2,
    minWorkers: 1,
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});
