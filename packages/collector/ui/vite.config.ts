import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig } from 'vite';

/**
 * Builds the web UI into packages/collector/ui-dist/, which `stitch serve` serves under /ui/.
 * Preact through esbuild's automatic JSX runtime: no framework plugin, no Babel, and the
 * framework stays a build dependency (STYLE.md §14). `base: './'` keeps asset URLs relative,
 * so the same build works under /ui/ and from any static file server.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  logLevel: 'warn',
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  // The workspace contract resolves to its TypeScript source, like everywhere else in the repo.
  resolve: { conditions: ['source', ...defaultClientConditions] },
  // `npx vite --config packages/collector/ui/vite.config.ts`: the dev server forwards the API
  // to a running collector (STITCH_URL, else the default `stitch serve` address).
  server: { proxy: { '/api': process.env.STITCH_URL ?? 'http://127.0.0.1:4318' } },
  build: {
    outDir: fileURLToPath(new URL('../ui-dist', import.meta.url)),
    emptyOutDir: true,
    target: 'es2022',
    reportCompressedSize: false,
    chunkSizeWarningLimit: 400,
  },
});
