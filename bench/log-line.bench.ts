/**
 * What one log line costs, to a null destination, side by side in one run:
 *
 *   pino            bare pino, same object and message, no mixin, no redaction
 *   no-context      the kernel logger outside any context (context_missing counted)
 *   in-context      the kernel logger inside a request context (the usual case): mixin + redaction, nothing to redact
 *   secret-fields   the kernel logger with a nested secret key and a Bearer token in the message
 *   mixin-only      the cost of reading the context for a line: `tryCurrentContext()` alone
 *
 * Each variant runs ROUNDS rounds of LINES lines, in an order rotated each round; we print the
 * median CPU ns per line (process.cpuUsage: the two shared cores make wall time swing with
 * other work) and the ratio to bare pino.
 *
 * Run: `npm run bench -- log-line`.
 */
import { context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { pino } from 'pino';
import { runInNewContext, tryCurrentContext } from '../packages/kernel/src/core/context/context-store.js';
import { createLogger } from '../packages/kernel/src/pipeline/logs/create-logger.js';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const LINES = Number(process.env.BENCH_LINES ?? 50_000);
const TENANT = '11111111-1111-4111-8111-111111111111';

context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
const nowhere = { write: (_line: string) => undefined };
const bare = pino({ base: { service: 'bench' } }, nowhere);
const kernel = createLogger({ service: 'bench', nodeId: 'n1', destination: nowhere }).child({ component: 'db' });
const fields = { rows: 3, query: 'invoices.list', cached: false };
const secret = { rows: 3, user: { name: 'ada', credentials: { password: 'hunter2' } } };

const variants: Record<string, () => void> = {
  pino: () => {
    for (let i = 0; i < LINES; i += 1) bare.info(fields, 'invoices loaded');
  },
  'no-context': () => {
    for (let i = 0; i < LINES; i += 1) kernel.info(fields, 'invoices loaded');
  },
  'in-context': () =>
    runInNewContext({ name: 'bench', tenantId: TENANT, routeId: 'GET /invoices' }, () => {
      for (let i = 0; i < LINES; i += 1) kernel.info(fields, 'invoices loaded');
    }),
  'secret-fields': () =>
    runInNewContext({ name: 'bench', tenantId: TENANT }, () => {
      for (let i = 0; i < LINES; i += 1) kernel.info(secret, 'called with Bearer abcdef123456');
    }),
  'mixin-only': () =>
    runInNewContext({ name: 'bench', tenantId: TENANT }, () => {
      let n = 0;
      for (let i = 0; i < LINES; i += 1) if (tryCurrentContext() !== undefined) n += 1;
      if (n !== LINES) throw new Error('context lost');
    }),
};

const names = Object.keys(variants);
const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]));
for (const name of names) variants[name]?.(); // warm-up
for (let round = 0; round < ROUNDS; round += 1) {
  for (let k = 0; k < names.length; k += 1) {
    const name = names[(round + k) % names.length] as string;
    const start = process.cpuUsage();
    variants[name]?.();
    const used = process.cpuUsage(start);
    samples[name]?.push(((used.user + used.system) * 1000) / LINES);
  }
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const base = median(samples.pino ?? []);
console.log('variant        cpu ns/line   × pino');
for (const name of names) {
  const ns = median(samples[name] ?? []);
  console.log(`${name.padEnd(14)} ${ns.toFixed(0).padStart(8)}   ${(ns / base).toFixed(2)}`);
}
