/**
 * `npm start`: the approvals service and everything around it, on embedded defaults (no
 * server): the collector with its UI, the service (PGlite, in-process bus, outbox relay,
 * webhook dispatcher), its job worker as a separate OS process, a webhook receiver, and a day
 * of traffic across ten tenants with faults planted in it. Then it prints one request's trace
 * through every hop, and each of the seven questions as a `stitch` command filled in with this
 * run's ids, with its answer.
 *
 *   npm start -- --services     the same on the machine's Postgres, NATS JetStream and BullMQ (Redis)
 *   npm start -- --once         exit after the questions (tests, CI)
 *   npm start -- --port 4000 --collector-port 4319
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { withoutStrictMode } from '@stitch/kernel';
import { questions } from './questions.js';
import { startStack } from './stack.js';
import { TENANTS } from './tenants.js';
import { plantTraffic } from './traffic.js';

const { values: args } = parseArgs({
  options: {
    port: { type: 'string', default: '3000' },
    'collector-port': { type: 'string', default: '4318' },
    once: { type: 'boolean', default: false },
    services: { type: 'boolean', default: false },
  },
});

const say = (text: string): boolean => process.stdout.write(`${text}\n`);
// --once keeps nothing behind; a serving run keeps its store in .stitch/.
const dataDir = args.once ? mkdtempSync(join(tmpdir(), 'stitch-approvals-')) : resolve('.stitch');
const startedAt = Date.now();
const stack = await startStack({ services: args.services, port: Number(args.port), collectorPort: Number(args['collector-port']), dataFile: join(dataDir, 'approvals.duckdb') });
const { collector } = stack;
say(
  [
    `approvals service   ${stack.baseUrl}   (${args.services ? 'Postgres, NATS JetStream, BullMQ on Redis' : 'PGlite, in-process bus and outbox relay, jobs over IPC'})`,
    `job worker          pid ${String(stack.worker.pid)}, its own OS process`,
    `webhook receiver    ${stack.receiver.baseUrl}   (globex's endpoint answers 500)`,
    `collector           ${collector.url}   web UI ${collector.url}/ui/`,
    `token               ${collector.token}`,
    '',
    'playing a day of traffic across ten tenants, with faults planted in it…',
  ].join('\n'),
);

// Whatever fails, here or in a handler running in the background, the service's kernel and the
// worker flush what they kept into the collector before the process goes.
async function fail(error: unknown): Promise<never> {
  process.stderr.write(`approvals: ${(error as Error | undefined)?.stack ?? String(error)}\n`);
  await stop().catch(() => undefined);
  process.exit(1);
}
process.once('uncaughtException', (error) => void fail(error));
process.once('unhandledRejection', (reason) => void fail(reason));

try {
  const planted = await plantTraffic(stack.baseUrl, stack.conditions);
  await stack.settled();
  // The scheduler's nightly tick: one batch per tenant, each expense an item span of its own.
  const nightly = await withoutStrictMode(() => stack.service.scheduleNightly());
  await stack.settled();
  await stack.flushed();
  say(`${planted.requests} requests, ${stack.enqueued.length + nightly.length} jobs, ${stack.receiver.received.length} webhook deliveries received, in ${((Date.now() - startedAt) / 1000).toFixed(1)} s\n`);

  say('One approval through every hop (edge → auth → policy steps → SQL + audit + outbox → relay → bus → handlers → webhook, jobs in the worker → batch):');
  await collector.ask(['trace', planted.showcaseTraceId]);

  say('\nThe questions, each with this run’s ids. Run them yourself with:');
  say(`  export STITCH_URL=${collector.url} STITCH_TOKEN=${collector.token}`);
  for (const q of questions(stack, planted, nightly)) {
    say(`\n# ${q.question}   (planted: ${q.planted})`);
    await collector.ask(q.argv);
  }
} catch (error) {
  await fail(error);
}

async function stop(): Promise<void> {
  await stack.stop();
  if (args.once) rmSync(dataDir, { recursive: true, force: true });
}

if (args.once) {
  await stop();
} else {
  say(
    [
      '',
      'It keeps serving. Try:',
      `  curl -H 'authorization: Bearer ${TENANTS.acme.submitter.token}' ${stack.baseUrl}/expenses`,
      `  web UI: ${collector.url}/ui/  (token: ${collector.token})`,
      'Ctrl-C stops it.',
    ].join('\n'),
  );
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void stop());
}
