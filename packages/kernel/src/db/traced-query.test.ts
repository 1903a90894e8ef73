import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, describe, expect, it } from 'vitest';
import { stitchRequestListener } from '../edge/node-http.js';
import { startStitch } from '../setup/start-stitch.js';
import { parseDbOptions } from './db-options.js';
import { createTracedQuery } from './traced-query.js';

const stitch = startStitch({ serviceName: 'traced-query-test', spanProcessors: [] });
afterAll(() => stitch.shutdown());

describe('the query wrapper behind the edge', () => {
  it("names the request's route template (matched by the edge after the context was made) in the SQL comment", async () => {
    const sent: string[] = [];
    const query = createTracedQuery(
      async (text) => {
        sent.push(text);
        return { rows: [], rowCount: 0 };
      },
      { options: parseDbOptions({ application: 'billing' }), system: 'postgresql', supportsNamedStatements: false },
    );
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
  });
});
