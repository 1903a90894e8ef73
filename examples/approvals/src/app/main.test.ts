import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { promisify } from 'node:util';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { TENANTS } from './tenants.js';

const here = dirname(fileURLToPath(import.meta.url));

/** The answer printed under `$ stitch <command>`, up to the next question. */
function answerOf(out: string, command: string): string {
  const start = out.indexOf(`$ stitch ${command}`);
  if (start < 0) return '';
  const next = out.indexOf('\n# ', start);
  return out.slice(start, next < 0 ? undefined : next);
}

/** The first data row under the header line whose first cell is `firstHeader`, split on runs of spaces. */
function firstRow(answer: string, firstHeader: string): string[] {
  const lines = answer.split('\n');
  const header = lines.findIndex((line) => line.trim().split(/\s{2,}/)[0] === firstHeader);
  return header < 0 ? [] : (lines[header + 1] ?? '').trim().split(/\s{2,}/);
}

describe('npm start (the approvals service on embedded defaults)', () => {
  // PGlite's start-up and a second OS process dominate; on a loaded 2-core machine a minute or more.
  it('runs the service and its worker process, prints one approval through every hop and every question with this run’s ids, each finding its planted fault first', { timeout: 240_000 }, async () => {
    // Both ports it is asked for are taken (as 3000 and 4318 often are): it says so and uses free ones.
    const taken = [createServer(), createServer()];
    for (const server of taken) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const [servicePort, collectorPort] = taken.map((server) => String((server.address() as AddressInfo).port));
    let run;
    try {
      run = await promisify(execFile)(process.execPath, ['--import', 'tsx', '--conditions=source', join(here, 'main.ts'), '--once', '--port', servicePort!, '--collector-port', collectorPort!], {
        encoding: 'utf8',
        timeout: 230_000,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NODE_ENV: 'development' },
      });
    } finally {
      for (const server of taken) server.close();
    }
    expect(run.stderr).toContain(`port ${servicePort} is taken; the service listens on`);
    expect(run.stderr).toContain(`port ${collectorPort} is taken; the collector listens on`);
    const out = run.stdout;
    expect(out).toMatch(/^token +stitch_\S+$/m);
    expect(out).toMatch(/web UI http:\/\/127\.0\.0\.1:\d+\/ui\//);

    // One approval, through every hop, in one trace: both processes' spans.
    const trace = answerOf(out, 'trace');
    for (const span of ['POST /expenses/:id/approve', 'policy.receipt_required', 'outbox.add expense.approved', 'process_event', 'webhook.deliver', 'job notification.send', 'batch report.lines', 'batch.item report.lines']) {
      expect(trace).toContain(span);
    }
    expect(trace).toMatch(/job report\.render +approvals-worker/);
    expect(trace).toMatch(/POST \/expenses\/:id\/approve +approvals-api/);
    const tenantsInTrace = new Set(trace.match(/[0-9a-f]{8}-0000-4000-8000-[0-9a-f]{12}/g));
    expect(tenantsInTrace).toEqual(new Set([TENANTS.acme.id]));

    // Each question's first row is its planted culprit.
    expect(firstRow(answerOf(out, `slow --tenant ${TENANTS.umbrella.id}`), 'ROUTE')).toEqual(expect.arrayContaining(['/expenses', 'expenses.search']));
    expect(firstRow(answerOf(out, 'queries --top'), 'QUERY')[0]).toBe('expenses.search');
    expect(firstRow(answerOf(out, 'webhooks --retries'), 'ENDPOINT')).toContain(TENANTS.globex.id);
    expect(answerOf(out, 'job ')).toMatch(new RegExp(`origin: POST /expenses/:id/approve .* in approvals-api, trace [0-9a-f]{32}, request \\S+, tenant ${TENANTS.stark.id}`));
    // Printed as a shell reads it: the answer of `stitch request <trace> --jobs` lists the bouncing job.
    expect(answerOf(out, 'request ')).toMatch(/^\$ stitch request [0-9a-f]{32} --jobs$/m);
    expect(answerOf(out, 'request ')).toContain('notification.send');
    const rejected = firstRow(answerOf(out, "errors --grep 'no receipt'"), 'ENTRY');
    expect(rejected.slice(0, 3)).toEqual(['http /expenses/:id/approve', 'policy.receipt_required', 'POLICY_RECEIPT_MISSING']);
    expect(rejected.join(' ')).toContain(TENANTS.initech.id);
    expect(firstRow(answerOf(out, "errors --grep '550 mailbox unavailable'"), 'ENTRY').join(' ')).toContain(TENANTS.stark.id);
    const loops = answerOf(out, 'retries');
    expect(loops).toMatch(/consumer +ledger-sync <- expense\.approved +\d+/);
    expect(firstRow(loops, 'KIND')[0]).toMatch(/webhook|consumer/);
    expect(firstRow(answerOf(out, 'violations'), 'COMPONENT').slice(0, 2)).toEqual(['route', '/expenses/summary']);
  });
});
