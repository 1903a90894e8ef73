/**
 * A service that does not use a driver or a bus never loads it: the root entry, the pg/PGlite
 * wrappers and the RabbitMQ bus import only types (the caller passes the client it opened); the
 * NATS bus needs `nats` constants and loads it from its own subpath only. Checked in a fresh
 * process (the test runner has them all loaded).
 */
import { spawnSync } from 'node:child_process';
import { expect, it } from 'vitest';

function loadedClients(specifiers: string[]): string[] {
  const script = `
    import { createRequire } from 'node:module';
    ${specifiers.map((s) => `await import(${JSON.stringify(s)});`).join('\n')}
    const cache = Object.keys(createRequire(process.cwd() + '/').cache);
    const names = ['pg', 'pg-pool', 'nats', 'amqplib'].filter((name) => cache.some((p) => p.includes('/node_modules/' + name + '/')));
    process.stdout.write(JSON.stringify(names));
  `;
  const run = spawnSync(process.execPath, ['--import', 'tsx', '--conditions=source', '--input-type=module', '-e', script], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(run.stderr);
  return JSON.parse(run.stdout) as string[];
}

it('importing @stitch/kernel, its db wrappers and the RabbitMQ bus loads neither pg, nats nor amqplib', () => {
  expect(loadedClients(['@stitch/kernel', '@stitch/kernel/db/pg', '@stitch/kernel/db/pglite', '@stitch/kernel/events/rabbitmq'])).toEqual([]);
});

it('the NATS bus loads nats and nothing else', () => {
  expect(loadedClients(['@stitch/kernel/events/nats'])).toEqual(['nats']);
});
