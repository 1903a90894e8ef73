#!/usr/bin/env node
// `stitch`: runs the compiled CLI (dist/cli/main.js) in this process. No child process and no
// TypeScript loader: start-up is node's own plus the modules the command needs (see
// bench/cli-startup.bench.ts).
//
// dist/ is built by `npm install` (the root `prepare`) and again, incrementally, by `npm test`,
// so the tests always spawn a binary built from the current sources. After editing src/, run
// `npm run build:stitch` at the root before calling this by hand; the repo's tests and tools
// otherwise run the sources directly through the `source` export condition.
import { existsSync, readFileSync } from 'node:fs';
import process from 'node:process';
import { URL } from 'node:url';

// `stitch --version` alone is answered here, before the CLI's modules load (zod, the contract,
// the question registry: about 0.17 s of the 0.23 s it took), as scripts and health checks call it.
const [only, ...rest] = process.argv.slice(2);
if (rest.length === 0 && (only === '--version' || only === '-V')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${version}\n`);
  process.exit(0);
}

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  // A checkout installed with --ignore-scripts, or a deleted dist/: say what to run, not a stack.
  process.stderr.write(`stitch: the CLI is not built (${main.pathname} is missing): run \`npm run build:stitch\` at the repository root\n`);
  process.exit(1);
}
await import(main.href);
