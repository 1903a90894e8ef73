/**
 * `npm run evidence`: one approval through the whole path, on embedded defaults, and seed 000's
 * evidence blocks [A]–[E] printed from what actually happened, each with its source. Exits 1
 * when a block is missing or disagrees with the others (`checkEvidence`).
 *
 *   [A] the answer's x-trace-id              the HTTP response
 *   [B] the audit row with that trace id     approvals.audit_events
 *   [C] the outbox event and the webhook     approvals.outbox_events, approvals.webhook_deliveries
 *       delivery record with that trace id
 *   [D] the SQL statement with its comment   what PGlite received (it has no server log)
 *   [E] the perf_violation line of a breach  the service's log, as the collector received it (OTLP)
 *
 * [E] is a second request by the same tenant, made to break its route's 500 ms budget.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runInNewContext } from '@stitch/kernel';
import { checkEvidence } from './evidence-blocks.js';
import type { Evidence } from './evidence-blocks.js';
import { startStack } from './stack.js';
import { TENANTS } from './tenants.js';
import { call, submitAndApprove } from './traffic.js';

const dataDir = mkdtempSync(join(tmpdir(), 'stitch-evidence-'));
const stack = await startStack({ services: false, port: 0, collectorPort: 0, dataFile: join(dataDir, 'evidence.duckdb') });
let problems: string[];
try {
  const tenant = TENANTS.acme;
  const { decided } = await submitAndApprove(stack.baseUrl, tenant, { amountCents: 64_00, category: 'hardware', hasReceipt: true, description: 'keyboard' });
  stack.conditions.burst = true;
  const slow = await call(stack.baseUrl, tenant.approver.token, 'GET', '/expenses/summary');
  stack.conditions.burst = false;
  await stack.settled();
  await stack.flushed();

  const traceId = decided.traceId;
  const { schema } = stack;
  // Read back as an operator would, in a trace of its own (not the approval's).
  const read = <T extends Record<string, unknown>>(sql: string) =>
    runInNewContext({ name: 'evidence.read' }, async () => (await stack.db.query<T>(sql, [traceId], { name: 'evidence.read' })).rows);
  const logs = JSON.parse(await stack.collector.ask(['logs', '--tenant', tenant.id, '--trace', slow.traceId, '--json'], { quiet: true })) as {
    logs: { attributes: Record<string, unknown>; body: string; traceId: string | null; spanId: string | null; time: string; severityText: string | null }[];
  };

  const evidence: Evidence = {
    edge: { status: decided.status, traceId: traceId === '' ? null : traceId, tenantId: tenant.id, source: `POST ${stack.baseUrl}/expenses/${String(decided.body.id)}/approve, response header x-trace-id` },
    audit: {
      rows: await read(`SELECT id, action, target, tenant_id, actor_id, trace_id, request_id FROM ${schema}.audit_events WHERE trace_id = $1 ORDER BY occurred_at`),
      source: `SELECT … FROM ${schema}.audit_events WHERE trace_id = '${traceId}'`,
    },
    outbox: {
      rows: await read(`SELECT id, type, tenant_id, trace_id, traceparent, sent_at IS NOT NULL AS sent FROM ${schema}.outbox_events WHERE trace_id = $1`),
      source: `SELECT … FROM ${schema}.outbox_events WHERE trace_id = '${traceId}'`,
    },
    deliveries: {
      rows: await read(`SELECT id, endpoint_id, event_id, event_type, tenant_id, trace_id, state, attempts FROM ${schema}.webhook_deliveries WHERE trace_id = $1`),
      source: `SELECT … FROM ${schema}.webhook_deliveries WHERE trace_id = '${traceId}'`,
    },
    statements: {
      texts: (stack.statements?.statements ?? []).filter((text) => text.includes(traceId)),
      source: 'the statements PGlite received (recorded at the engine: PGlite has no server log)',
    },
    violation: {
      traceId: slow.traceId,
      // The OTLP record keeps the line's ids as its own trace and span ids: put back as written.
      lines: logs.logs.map((line) => ({ time: line.time, level: line.severityText, msg: line.body, trace_id: line.traceId, span_id: line.spanId, ...line.attributes })),
      source: `stitch logs --tenant ${tenant.id} --trace ${slow.traceId} (the service's log over OTLP); the request: GET /expenses/summary during a burst`,
    },
  };
  print(evidence);
  problems = checkEvidence(evidence);
} finally {
  await stack.stop();
  rmSync(dataDir, { recursive: true, force: true });
}

if (problems.length > 0) {
  process.stdout.write(`\nNOT CERTIFIED: ${problems.length} problem(s)\n${problems.map((p) => `  ${p}`).join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('\nCERTIFIED (EVI044): one trace id, created once at the edge, in the audit row, the outbox event, the webhook delivery and the SQL comment; the budget breach logged with perf_violation=true.\n');

/** The request's own statements in full; the ones its handlers ran, counted (all are checked). */
function statementsBlock(texts: readonly string[]): string {
  if (texts.length === 0) return '  (none)';
  const own = texts.filter((t) => t.includes("route='%2Fexpenses%2F%3Aid%2Fapprove'"));
  const shown = (own.length > 0 ? own : texts).slice(0, 4);
  const rest = texts.length - shown.length;
  return `${shown.map((t) => `  ${t.replace(/\s+/g, ' ')}`).join('\n')}${rest > 0 ? `\n  … and ${rest} more statements of this trace (relay, handlers, webhook dispatch), each with the same traceparent trace id` : ''}`;
}

function print(e: Evidence): void {
  const block = (label: string, source: string, body: string) => process.stdout.write(`\n${label}\n  source: ${source}\n${body}\n`);
  const json = (rows: readonly unknown[]) => (rows.length === 0 ? '  (none)' : rows.map((row) => `  ${JSON.stringify(row)}`).join('\n'));
  block('[A] Edge trace header appears in response', e.edge.source, `  HTTP ${e.edge.status}  x-trace-id: ${String(e.edge.traceId)}`);
  block('[B] Audit entry contains same traceId', e.audit.source, json(e.audit.rows));
  block('[C] Outbox event and webhook delivery store same traceId', `${e.outbox.source}; ${e.deliveries.source}`, `  outbox:\n${json(e.outbox.rows)}\n  webhook deliveries:\n${json(e.deliveries.rows)}`);
  block('[D] DB statement includes trace comment', e.statements.source, statementsBlock(e.statements.texts));
  block('[E] Perf violation emitted when budget exceeded', e.violation.source, json(e.violation.lines.filter((line) => line.perf_violation === true)));
}
