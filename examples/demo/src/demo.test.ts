import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

describe('npm start (the demo)', () => {
  // PGlite's start-up (a WebAssembly Postgres) dominates; on a loaded 2-core machine it can take tens of seconds.
  it('serves two tenants, prints each trace with its tenant, the budget violation and the error envelopes, and the collector answers from what it received', { timeout: 180_000 }, async () => {
    // Both ports it is asked for are taken (as 3000 and 4318 often are): it says so and uses free ones.
    const taken = [createServer(), createServer()];
    for (const server of taken) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const [servicePort, collectorPort] = taken.map((server) => String((server.address() as AddressInfo).port));
    let run;
    try {
      run = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=source', join(here, 'main.ts'), '--once', '--port', servicePort!, '--collector-port', collectorPort!], {
        encoding: 'utf8',
        timeout: 170_000,
        env: { ...process.env, STITCH_LOG_LEVEL: 'info' },
      });
    } finally {
      for (const server of taken) server.close();
    }
    expect(run.stderr).toContain(`port ${servicePort} is taken; the service listens on`);
    expect(run.stderr).toContain(`port ${collectorPort} is taken; the collector listens on`);
    const out = run.stdout;
    // Both tenants' requests were traced and their log lines carry their own tenant.
    expect(out).toMatch(/● POST \/orders .* tenant=6f1c1c1e…/);
    expect(out).toMatch(/● POST \/orders .* tenant=9d3b7f52…/);
    const logs = out.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Record<string, unknown>);
    const created = logs.filter((line) => line.msg === 'order created');
    expect(new Set(created.map((line) => line.tenant_id))).toEqual(new Set(['6f1c1c1e-8a5e-4c43-9d1f-0b7a1a2b3c4d', '9d3b7f52-1e2a-4b6c-8d9e-5f4a3b2c1d0e']));
    for (const line of created) expect(line.trace_id).toMatch(/^[0-9a-f]{32}$/);
    // The slow report broke its query budget: one structured warning.
    // (Only this one is certain: on a loaded machine a route may break its 500 ms budget too.)
    const violations = logs.filter((line) => line.perf_violation === true && line.name === 'reports.slow');
    expect(violations).toHaveLength(1);
    expect(violations[0]).toMatchObject({ component: 'query', budget_ms: 200, tenant_id: '6f1c1c1e-8a5e-4c43-9d1f-0b7a1a2b3c4d' });
    // A bad key gets the error envelope, with the trace id that was answered in x-trace-id.
    const unauthorized = /→ GET \/orders {2}401 {2}x-trace-id: ([0-9a-f]{32})\n {2}(.*)\n/.exec(out);
    expect(unauthorized).not.toBeNull();
    expect(JSON.parse(unauthorized![2]!)).toMatchObject({ error: { code: 'STITCH_ERR_EDGE_UNAUTHENTICATED', traceId: unauthorized![1] } });
    // The embedded collector received the spans over OTLP and answers the questions with them.
    const slowTrace = /→ GET \/reports\/slow {2}200 {2}x-trace-id: ([0-9a-f]{32})/.exec(out)![1]!;
    const slowAnswer = out.slice(out.indexOf('$ stitch slow'), out.indexOf('$ stitch violations'));
    expect(slowAnswer).toMatch(/\/reports\/slow +1 /);
    expect(slowAnswer).toContain(slowTrace);
    const violationsAnswer = out.slice(out.indexOf('$ stitch violations'));
    // One row per query, summed over tenants, with the tenant breakdown in the row.
    expect(violationsAnswer).toMatch(new RegExp(`query +reports\\.slow +1 .*6f1c1c1e-8a5e-4c43-9d1f-0b7a1a2b3c4d×1 +/reports/slow .*${slowTrace}`));
  });
});
