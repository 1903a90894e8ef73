import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SpanStatusCode } from '@opentelemetry/api';
import { InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import express from 'express';
import Fastify from 'fastify';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { runInNewContext } from '../../core/context/context-store.js';
import { stitchExpress } from '../edge/express.js';
import { stitchFastify } from '../edge/fastify.js';
import { stitchRequestListener } from '../edge/node-http.js';
import { startStitch } from '../../setup/start-stitch.js';
import { parseDbOptions } from './db-options.js';
import { createTracedQuery } from './traced-query.js';

const exporter = new InMemorySpanExporter();
const stitch = startStitch({ serviceName: 'traced-query-test', spanProcessors: [new SimpleSpanProcessor(exporter)] });
afterAll(() => stitch.shutdown());
beforeEach(() => exporter.reset());

const config = { options: parseDbOptions({ application: 'billing' }), system: 'postgresql', supportsNamedStatements: false };
const querySpans = () => exporter.getFinishedSpans().filter((span) => span.name === 'orders.get');

/** A query wrapper over a driver that records each statement's text (its SQL comment included) and returns no rows. */
function recordingQuery(queryConfig: Parameters<typeof createTracedQuery>[1] = config) {
  const sent: string[] = [];
  const query = createTracedQuery(async (text) => {
    sent.push(text);
    return { rows: [], rowCount: 0 };
  }, queryConfig);
  return { sent, query };
}

describe('the query wrapper behind the edge', () => {
  it("names the request's route template (matched by the edge after the context was made) in the SQL comment", async () => {
    const { sent, query } = recordingQuery();
    const server = createServer(
      stitchRequestListener(
        async (_req, res) => {
          await query('SELECT 1', [], { name: 'orders.get' });
          res.end('ok');
        },
        { routes: ['/orders/:id'] },
      ),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/orders/42`);
    await response.text();
    server.close();
    const traceId = response.headers.get('x-trace-id');
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain("route='%2Forders%2F%3Aid'");
    expect(sent[0]).toContain(`traceparent='00-${traceId}-`);
    expect(sent[0]).not.toContain('%2Forders%2F42'); // the raw path (an id) never reaches the database log
    expect(sent[0]).not.toContain('framework=');
  });

  it('names the framework that serves the request, as name:version, and its route (Express, Fastify); plain node:http names none', async () => {
    const { sent, query } = recordingQuery();
    const app = express();
    const edge = stitchExpress();
    app.use(edge.middleware);
    app.get('/users/:id', async (_req, res) => {
      await query('SELECT 1');
      res.end('ok');
    });
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    await (await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/users/7`)).text();
    server.close();

    const fastify = Fastify();
    await fastify.register(stitchFastify);
    fastify.get('/users/:id', async () => {
      await query('SELECT 2');
      return 'ok';
    });
    const url = await fastify.listen({ port: 0, host: '127.0.0.1' });
    await (await fetch(`${url}/users/7`)).text();
    await fastify.close();

    const { version: expressVersion } = (await import('express/package.json', { with: { type: 'json' } })).default;
    expect(sent[0]).toMatch(new RegExp(`^SELECT 1 /\\*application='billing',framework='express%3A${expressVersion.replaceAll('.', '\\.')}',request_id='[^']+',route='%2Fusers%2F%3Aid',traceparent='00-`));
    expect(sent[1]).toMatch(new RegExp(`^SELECT 2 /\\*application='billing',framework='fastify%3A${fastify.version.replaceAll('.', '\\.')}',request_id='[^']+',route='%2Fusers%2F%3Aid',traceparent='00-`));
  });

  it("carries the caller's tracestate and the driver in the comment, so the database log joins the vendor's trace too", async () => {
    const { sent, query } = recordingQuery({ ...config, dbDriver: 'pg' });
    const server = createServer(
      stitchRequestListener(async (_req, res) => {
        await query('SELECT 1', [], { name: 'orders.get' });
        res.end('ok');
      }),
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const response = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`, {
      headers: { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', tracestate: 'congo=t61rcWkgMzE,rojo=00f067aa0ba902b7' },
    });
    await response.text();
    server.close();
    expect(sent).toHaveLength(1);
    expect(sent[0]).toContain("db_driver='pg'");
    expect(sent[0]).toContain("tracestate='congo%3Dt61rcWkgMzE%2Crojo%3D00f067aa0ba902b7'");
    expect(sent[0]).toContain("traceparent='00-0af7651916cd43dd8448eb211c80319c-");
  });
});

describe('the query wrapper when the driver fails', () => {
  it('turns a driver that throws synchronously into a rejection with the same error, and ends the span in error', async () => {
    const failure = new Error('connection is closed');
    const query = createTracedQuery(() => {
      throw failure;
    }, config);
    const outcome = runInNewContext({ name: 'test' }, () => query('SELECT 1', [], { name: 'orders.get' }));
    await expect(outcome).rejects.toBe(failure);
    const [span] = querySpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.events.map((event) => event.name)).toContain('exception');
  });

  it('rejects with the driver error unchanged, recording its SQLSTATE on the span', async () => {
    const failure = Object.assign(new Error('duplicate key value violates unique constraint'), { code: '23505' });
    const query = createTracedQuery(() => Promise.reject(failure), config);
    await expect(runInNewContext({ name: 'test' }, () => query('INSERT INTO orders VALUES (1)', [], { name: 'orders.get' }))).rejects.toBe(failure);
    const [span] = querySpans();
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes['db.response.status_code']).toBe('23505');
    expect(span?.ended).toBe(true);
  });

  it('ends the span even when a driver answers without rows (the query rejects)', async () => {
    const query = createTracedQuery(() => Promise.resolve({} as never), config);
    await expect(runInNewContext({ name: 'test' }, () => query('SELECT 1', [], { name: 'orders.get' }))).rejects.toBeInstanceOf(TypeError);
    expect(querySpans().map((span) => span.ended)).toEqual([true]);
  });

  it('rejects, without calling the driver, when the statement is not a string', async () => {
    let calls = 0;
    const query = createTracedQuery(async () => {
      calls += 1;
      return { rows: [], rowCount: 0 };
    }, config);
    await expect(query(undefined as unknown as string)).rejects.toBeInstanceOf(TypeError);
    expect(calls).toBe(0);
  });

  it('waits for the driver to be ready before the first statement only', async () => {
    const order: string[] = [];
    let readyCalls = 0;
    let markReady = (): void => undefined;
    const ready = new Promise<void>((resolve) => (markReady = resolve));
    const query = createTracedQuery(
      async (text) => {
        order.push(text);
        return { rows: [], rowCount: 0 };
      },
      {
        ...config,
        options: parseDbOptions({ comment: false }),
        ready: () => {
          readyCalls += 1;
          order.push('ready?');
          return ready;
        },
      },
    );
    const first = query('SELECT 1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(order).toEqual(['ready?']); // nothing reached the driver before it was ready
    markReady();
    await first;
    await query('SELECT 2');
    expect(order).toEqual(['ready?', 'SELECT 1', 'SELECT 2']);
    expect(readyCalls).toBe(1);
  });
});
