import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import { tsImport } from 'tsx/esm/api';

// The plugin is TypeScript, like the rest of the repo; tsx (already what runs the repo's
// scripts) loads its sources here, so `npm run lint` needs no build step and always checks with
// the rules as they are in the working tree. Users get the compiled dist/ through the exports map.
const { default: stitch } = await tsImport('./packages/eslint-plugin/src/index.ts', import.meta.url);

export default tseslint.config(
  // The docs and adopt tests write the examples they check under test/.docs-examples and
  // test/.adopt-examples while they run (ESLint 9 lints dot folders): never the repo's code.
  { ignores: ['**/node_modules/**', '**/dist/**', '**/ui-dist/**', '**/*.d.ts', 'test/.docs-examples/**', 'test/.adopt-examples/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // STYLE.md §11: indexes name every export.
      'no-restricted-syntax': ['error', { selector: 'ExportAllDeclaration', message: 'Name every export (STYLE.md §11).' }],
      'no-console': 'off',
    },
  },
  // Dogfooding the drift traps (docs/drift-traps.md). The kernel is where ids, drivers and
  // tracing APIs belong, so it gets only the logging rules; the example service's domain code
  // (its `domain/` folder: seed 001's placement rule) gets every rule, and the rest of it, the
  // application and infrastructure layers, the service rules. Command-line output (the
  // collector's CLI) is meant for a terminal and keeps console.
  ...stitch.layout({
    domain: ['examples/*/src/domain/**'],
    service: ['packages/*/src/**', 'examples/*/src/**'],
    ignores: [
      '**/*.test.ts',
      '**/test/**',
      '**/bench/**',
      '**/scripts/**',
      'packages/collector/src/cli/**',
      'packages/collector/ui/**',
    ],
  }),
  {
    // Issue 13: the hops write spans, and every attribute name they write comes from the one
    // table in @stitch/contract (standard names re-exported from OpenTelemetry's semantic
    // conventions), the table the collector reads with.
    files: ['packages/kernel/src/hops/**'],
    ignores: ['**/*.test.ts'],
    rules: { 'stitch/no-literal-attribute-keys': 'error' },
  },
  {
    // The example's wiring: it builds the database (and records what the engine receives, for
    // the evidence) that the service is handed. Its log lines are still checked.
    files: ['examples/*/src/app/stack.ts', 'examples/*/src/app/statement-log.ts'],
    rules: { 'stitch/no-id-generation': 'off', 'stitch/no-direct-db-driver': 'off', 'stitch/no-tracing-in-domain': 'off' },
  },
);
