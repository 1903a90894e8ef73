import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

/**
 * The page holds a bearer token, so the build pins what it may load and where it may send it:
 * its own scripts and styles, and fetches to its own origin only. Added at build time only,
 * because Vite's dev server injects inline scripts.
 */
const CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'stitch-csp',
    apply: 'build',
    transformIndexHtml: (html) => html.replace('<meta charset="utf-8" />', `<meta charset="utf-8" />\n    <meta http-equiv="Content-Security-Policy" content="${CSP}" />`),
  };
}

/**
 * Builds the web UI into packages/collector/ui-dist/, which `stitch serve` serves under /ui/.
 * Preact through esbuild's automatic JSX runtime: no framework plugin, no Babel, and the
 * framework stays a build dependency (STYLE.md §14). `base: './'` keeps asset URLs relative,
 * so the same build works under /ui/ and from any static file server.
 */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: './',
  plugins: [contentSecurityPolicy()],
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
