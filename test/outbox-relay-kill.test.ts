/**
 * A relay killed between publish and mark-sent loses nothing: its transaction dies with it, the
 * rows stay unsent, and the next relay publishes them again; the consumer de-duplicates by
 * event id, so the event is handled exactly once. Real Postgres and NATS JetStream.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { connect } from 'nats';
import type { NatsConnection } from 'nats';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { runInNewContext, startStitch } from '@stitch/kernel';
import { consumeEvents, createCheckpointStore } from '@stitch/kernel/events';
import { createOutbox, createOutboxRelay } from '@stitch/kernel/outbox';
import type { EventEnvelope } from '@stitch/kernel/events';
import { createPgDatabase } from '@stitch/kernel/db/pg';
import { createNatsBus } from '@stitch/kernel/events/nats';

const suffix = randomBytes(4).toString('hex');
const SCHEMA = `stitch_kill_${suffix}`;
const STREAM = `STITCH_KILL_${suffix}`;
const SUBJECT_PREFIX = `stitch.kill.${suffix}`;
const TENANT = '6b7c8d9e-0000-4000-8000-00000000000a';
const pool = new pg.Pool({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test', max: 3 });
const db = createPgDatabase(pool);
const outbox = createOutbox({ db, schema: SCHEMA });
const checkpoints = createCheckpointStore({ db, schema: SCHEMA });
let nats: NatsConnection;

beforeAll(async () => {
  startStitch({ serviceName: 'relay-kill-test', enabled: false });
  await outbox.migrate();
  await checkpoints.migrate();
  nats = await connect({ servers: '127.0.0.1:4222' });
});

afterAll(async () => {
  const manager = await nats.jetstreamManager();
  await manager.streams.delete(STREAM).catch(() => undefined);
  await nats.close();
  await pool.query(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
  await db.close();
});

it('delivers an event whose relay was SIGKILLed after publishing and before marking it sent, and the consumer handles it once', async () => {
  const bus = await createNatsBus({ connection: nats, stream: STREAM, subjectPrefix: SUBJECT_PREFIX, retryDelayMillis: 50 });
  const deliveries: EventEnvelope[] = [];
  let runs = 0;
  const subscription = await consumeEvents({
    bus,
    name: `kill-consumer-${suffix}`,
    checkpoints,
    actions: [{ kind: 'count', run: async () => void (runs += 1) }],
  });
  const tap = await bus.subscribe(`kill-tap-${suffix}`, async (envelope) => void deliveries.push(envelope));

  const eventId = await runInNewContext({ name: 'POST /orders', tenantId: TENANT }, () =>
    db.transaction((tx) => outbox.add(tx, { type: 'order.created', aggregateId: 'o-1', payload: { n: 1 } })),
  );

  const child = fork(fileURLToPath(new URL('./fixtures/outbox-relay-child.ts', import.meta.url)), {
    execArgv: ['--import', 'tsx', '--conditions=source'],
    env: { ...process.env, SCHEMA, STREAM, SUBJECT_PREFIX },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const published = await new Promise<string>((resolve, reject) => {
    child.once('message', (message) => resolve((message as { published: string }).published));
    child.once('exit', (code) => reject(new Error(`relay child exited (${code}) before publishing`)));
  });
  expect(published).toBe(eventId);
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await exited;

  // The killed relay's transaction is gone with its connection: the row is unsent again.
  let unsent = 0;
  for (let i = 0; i < 100 && unsent === 0; i += 1) {
    unsent = (await outbox.lag()).unsentCount;
    if (unsent === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(unsent).toBe(1);
  for (let i = 0; i < 100; i += 1) {
    const { published: count } = await createOutboxRelay({ db, outbox, bus }).relayOnce();
    if (count === 1) break;
    await new Promise((resolve) => setTimeout(resolve, 50)); // Postgres may not have reaped the dead backend's locks yet
  }
  expect(await outbox.lag()).toEqual({ unsentCount: 0, oldestUnsentAgeMillis: 0 });

  for (let i = 0; i < 200 && runs === 0; i += 1) await new Promise((resolve) => setTimeout(resolve, 20));
  await subscription.close();
  await tap.close();
  expect(deliveries.map((e) => e.id)).toContain(eventId);
  expect(runs).toBe(1);
  const { rows } = await pool.query(`SELECT event_id FROM ${SCHEMA}.processed_events`);
  expect(rows).toEqual([{ event_id: eventId }]);
});
