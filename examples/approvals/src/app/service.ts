/**
 * The approvals service: HTTP edge → auth → workflow → database (audit rows, outbox) → bus →
 * handlers → webhooks and jobs. The infrastructure layer: it wires the kernel's hops around the
 * domain (`../domain/`), which never sees them. The same code runs on embedded defaults
 * (PGlite, in-process bus, jobs over IPC to the worker process) and on real servers (Postgres,
 * NATS, BullMQ): only the `db`, `bus` and `jobs` handed in differ.
 *
 * `Conditions` is what changed in production; the traffic generator flips it to plant a fault
 * (a report burst), the way a traffic peak would. The steady faults are in the tenants' data.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import express from 'express';
import type { NextFunction, Request, Response } from 'express';
import { currentContext, runInNewContext, StitchError, withContext } from '@stitch/kernel';
import { createAuditLog } from '@stitch/kernel/audit';
import type { Database } from '@stitch/kernel/db';
import { stitchExpress } from '@stitch/kernel/edge/express';
import { consumeEvents, createCheckpointStore } from '@stitch/kernel/events';
import type { EventBus, EventEnvelope, EventSubscription } from '@stitch/kernel/events';
import type { Jobs } from '@stitch/kernel/jobs';
import { createOutbox, createOutboxRelay } from '@stitch/kernel/outbox';
import type { OutboxRelay } from '@stitch/kernel/outbox';
import { createWebhooks } from '@stitch/kernel/webhooks';
import { assertTransition, parseSubmission } from '../domain/expense.js';
import type { Expense } from '../domain/expense.js';
import { principalByToken, tenantById, TENANT_LIST } from './tenants.js';
import type { Principal } from './tenants.js';
import { decide } from './workflow.js';

export interface Conditions {
  /** While true, the expense summary takes `burstMillis` for everyone: over the 500 ms route budget. */
  burst: boolean;
  burstMillis: number;
  /** The slow tenant's search costs this many seconds in the database (its years of history). */
  slowSearchTenantId: string | undefined;
  slowSearchSeconds: number;
}

export interface ServiceOptions {
  readonly db: Database;
  /** Schema of the business tables and the kernel's (audit, outbox, webhooks). */
  readonly schema: string;
  readonly bus: EventBus;
  readonly jobs: Jobs;
  readonly conditions: Conditions;
  /** Webhook endpoint (URL and signing secret) per tenant id; tenants without one get no webhooks. */
  readonly webhookEndpoints: ReadonlyMap<string, { readonly url: string; readonly secret: string }>;
  /** Run the outbox relay in this process (the embedded default); false when it is a process of its own. */
  readonly relay: boolean;
  /** Resolves once the bus has handled everything published (the in-process bus can say; others cannot). */
  readonly busIdle?: () => Promise<void>;
}

export interface ApprovalsService {
  readonly app: express.Express;
  /** Endpoint id per tenant id, once `start()` has registered them. */
  readonly endpointIds: Map<string, string>;
  start(): Promise<void>;
  /** The scheduler's nightly tick: one `report.nightly` job per tenant, outside any request. */
  scheduleNightly(): Promise<{ tenantId: string; runId: string }[]>;
  /** Resolves once every event is sent and handled and every webhook delivery is final. */
  drained(timeoutMillis?: number): Promise<void>;
  stop(): Promise<void>;
}

interface ExpenseRow {
  id: number;
  amount_cents: number;
  category: string;
  description: string;
  has_receipt: boolean;
  state: Expense['state'];
  submitter_email: string;
}

const toExpense = (r: ExpenseRow): Expense => ({ id: r.id, amountCents: r.amount_cents, category: r.category, description: r.description, hasReceipt: r.has_receipt, state: r.state });

/** A refusal the service answers itself, in the kernel's envelope with the request's ids. */
function answerError(res: Response, status: number, code: string, message: string): void {
  const { traceId, requestId } = currentContext();
  res.status(status).json({ error: { code, message, traceId, requestId } });
}

export function createApprovalsService(options: ServiceOptions): ApprovalsService {
  const { db, schema, bus, jobs, conditions } = options;
  const audit = createAuditLog({ db, schema });
  const outbox = createOutbox({ db, schema });
  const checkpoints = createCheckpointStore({ db, schema });
  const relay: OutboxRelay | undefined = options.relay ? createOutboxRelay({ db, outbox, bus, pollIntervalMillis: 100 }) : undefined;
  const hooks = createWebhooks({
    db,
    schema,
    // The receiver runs on this machine; anything else on a private network stays refused.
    allowNetworks: ['127.0.0.1/32'],
    maxAttempts: 4,
    baseBackoffMillis: 50,
    maxBackoffMillis: 400,
    pollIntervalMillis: 100,
    timeoutMillis: 2_000,
  });
  const endpointIds = new Map<string, string>();
  const subscriptions: EventSubscription[] = [];
  const table = `${schema}.expenses`;

  const app = express();
  const edge = stitchExpress();
  app.use(edge.middleware);
  app.use(express.json({ limit: '16kb' }));

  // Auth: the bearer token names the tenant and the actor; everything after carries both.
  app.use((req: Request, res: Response, next: NextFunction) => {
    const header = req.headers.authorization;
    const principal = principalByToken.get(header?.startsWith('Bearer ') === true ? header.slice('Bearer '.length) : '');
    if (principal === undefined) throw new StitchError('STITCH_ERR_EDGE_UNAUTHENTICATED');
    res.locals.principal = principal;
    withContext({ tenantId: principal.tenant.id, actorId: principal.actor.id }, next);
  });
  const principalOf = (res: Response): Principal => res.locals.principal as Principal;
  const tenantId = (): string => currentContext().tenantId as string;

  async function load(id: number): Promise<ExpenseRow | undefined> {
    const { rows } = await db.query<ExpenseRow>(`SELECT * FROM ${table} WHERE tenant_id = $1 AND id = $2`, [tenantId(), id], { name: 'expenses.get' });
    return rows[0];
  }

  app.post('/expenses', async (req, res) => {
    const parsed = parseSubmission(req.body);
    if (!parsed.ok) throw new StitchError('STITCH_ERR_EDGE_BAD_REQUEST', { detail: parsed.reason });
    const submitter = principalOf(res).actor;
    const expense = await db.transaction(async (tx) => {
      const { rows } = await tx.query<ExpenseRow>(
        `INSERT INTO ${table} (tenant_id, submitter_id, submitter_email, amount_cents, category, description, has_receipt)
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING *`,
        [tenantId(), submitter.id, submitter.email, parsed.amountCents, parsed.category, parsed.description, parsed.hasReceipt],
        { name: 'expenses.insert' },
      );
      const row = rows[0] as ExpenseRow;
      await audit.record({ action: 'expense.submit', target: `expense:${row.id}`, details: { amountCents: row.amount_cents } }, { tx });
      await outbox.add(tx, { type: 'expense.submitted', aggregateType: 'expense', aggregateId: String(row.id), payload: { id: row.id } });
      return toExpense(row);
    });
    res.status(201).json(expense);
  });

  app.get('/expenses', async (req, res) => {
    const seconds = tenantId() === conditions.slowSearchTenantId ? conditions.slowSearchSeconds : 0;
    // One statement for every tenant; only the slow tenant's is expensive (its data, in life).
    const { rows } = await db.query<ExpenseRow>(
      `WITH cost AS MATERIALIZED (SELECT pg_sleep($3::float8))
       SELECT e.* FROM cost JOIN LATERAL (
         SELECT * FROM ${table} WHERE tenant_id = $1 AND category LIKE $2 ORDER BY id DESC LIMIT 20
       ) AS e ON true`,
      [tenantId(), `${String(req.query.category ?? '')}%`, seconds],
      { name: 'expenses.search' },
    );
    res.json({ expenses: rows.map(toExpense) });
  });

  app.get('/expenses/summary', async (_req, res) => {
    const { rows } = await db.query<{ state: string; n: number; cents: number }>(
      `SELECT state, count(*)::int AS n, coalesce(sum(amount_cents), 0)::int AS cents FROM ${table} WHERE tenant_id = $1 GROUP BY state`,
      [tenantId()],
      { name: 'expenses.summary' },
    );
    // The peak: every tenant's dashboards refresh at once and the summary queues behind them.
    if (conditions.burst) await sleep(conditions.burstMillis);
    res.json({ summary: rows });
  });

  async function transition(req: Request, res: Response, verdict: 'approve' | 'reject'): Promise<void> {
    const row = await load(Number(req.params.id));
    if (row === undefined) throw new StitchError('STITCH_ERR_EDGE_NOT_FOUND', { method: req.method, path: req.path });
    const expense = toExpense(row);
    const approver = principalOf(res).actor;
    const tenant = tenantById.get(tenantId());
    if (tenant === undefined) throw new StitchError('STITCH_ERR_EDGE_FORBIDDEN');
    try {
      assertTransition(expense.state, verdict === 'approve' ? 'approved' : 'rejected');
    } catch (error) {
      return answerError(res, 409, 'EXPENSE_INVALID_TRANSITION', (error as Error).message);
    }
    const decision = verdict === 'approve' ? await decide(expense, tenant.rules, approver) : { state: 'rejected' as const, step: 'manual', code: 'MANUAL_REJECTION', reason: 'rejected by the approver' };
    await db.transaction(async (tx) => {
      await tx.query(`UPDATE ${table} SET state = $3, decided_by = $4 WHERE tenant_id = $1 AND id = $2`, [tenantId(), expense.id, decision.state, approver.id], { name: 'expenses.decide' });
      const action = decision.state === 'approved' ? 'expense.approve' : 'expense.reject';
      await audit.record({ action, target: `expense:${expense.id}`, details: decision.state === 'approved' ? {} : { step: decision.step, code: decision.code } }, { tx });
      await outbox.add(tx, {
        type: decision.state === 'approved' ? 'expense.approved' : 'expense.rejected',
        aggregateType: 'expense',
        aggregateId: String(expense.id),
        payload: { id: expense.id, amountCents: expense.amountCents, submitterEmail: row.submitter_email, ...(decision.state === 'rejected' && { reason: decision.reason }) },
      });
    });
    if (decision.state === 'rejected' && verdict === 'approve') return answerError(res, 422, decision.code, decision.reason);
    res.json({ id: expense.id, state: decision.state });
  }

  app.post('/expenses/:id/approve', (req, res) => transition(req, res, 'approve'));
  app.post('/expenses/:id/reject', (req, res) => transition(req, res, 'reject'));

  app.use(edge.notFound);
  app.use(edge.errorHandler);

  /** Handlers' actions: each is a child span of the handler run, in the request's trace. */
  const webhookToTenant = {
    kind: 'webhook',
    async run(envelope: EventEnvelope) {
      const endpointId = endpointIds.get(tenantId());
      if (endpointId === undefined) return;
      await hooks.send({ endpointId, eventId: envelope.id, eventType: envelope.type, payload: envelope.payload });
    },
  };
  const notify = {
    kind: 'job',
    async run(envelope: EventEnvelope) {
      const { id, submitterEmail } = envelope.payload as { id: number; submitterEmail: string };
      await jobs.enqueue('notification.send', { to: submitterEmail, expenseId: id, event: envelope.type });
    },
  };
  const renderReport = {
    kind: 'job',
    async run(envelope: EventEnvelope) {
      // The submitter's approved expenses go in the job: the worker renders one line per item.
      const { rows } = await db.query<ExpenseRow>(`SELECT * FROM ${table} WHERE tenant_id = $1 AND state = 'approved' ORDER BY id DESC LIMIT 10`, [tenantId()], {
        name: 'report.lines',
      });
      await jobs.enqueue('report.render', { expenseId: (envelope.payload as { id: number }).id, expenses: rows.map(toExpense) });
    },
  };
  const ledger = {
    kind: 'ledger',
    async run() {
      // Hooli's ledger refuses every entry: the bus redelivers until it gives up.
      if (tenantById.get(tenantId())?.name === 'hooli') throw new Error('ledger refused the entry: 409 conflict');
    },
  };

  return {
    app,
    endpointIds,
    // Start-up work is one trace of its own, not a dozen tenant-less ones.
    start: () =>
      runInNewContext({ name: 'approvals.start' }, async () => {
        await db.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
        await db.query(
          `CREATE TABLE IF NOT EXISTS ${table} (
             id serial PRIMARY KEY, tenant_id uuid NOT NULL, submitter_id uuid NOT NULL, submitter_email text NOT NULL,
             amount_cents int NOT NULL, category text NOT NULL, description text NOT NULL, has_receipt boolean NOT NULL,
             state text NOT NULL DEFAULT 'submitted', decided_by uuid, created_at timestamptz NOT NULL DEFAULT now())`,
        );
        await audit.migrate();
        await outbox.migrate();
        await checkpoints.migrate();
        await hooks.migrate();
        for (const [tenant, { url, secret }] of options.webhookEndpoints) endpointIds.set(tenant, (await hooks.addEndpoint({ tenantId: tenant, url, secret })).id);
        subscriptions.push(
          await consumeEvents({ bus, name: 'expense-notifier', checkpoints, types: ['expense.approved', 'expense.rejected'], actions: [webhookToTenant, notify] }),
          await consumeEvents({ bus, name: 'report-renderer', checkpoints, types: ['expense.approved'], actions: [renderReport] }),
          await consumeEvents({ bus, name: 'ledger-sync', checkpoints, types: ['expense.approved'], actions: [ledger] }),
        );
        relay?.start();
        hooks.start();
      }),
    async scheduleNightly() {
      const runs: { tenantId: string; runId: string }[] = [];
      for (const tenant of TENANT_LIST) {
        // A scheduler's tick is work of its own: a trace per tenant, its batch inside the job.
        const runId = await runInNewContext({ name: 'scheduler report.nightly', tenantId: tenant.id, entry: { kind: 'job', route: 'scheduler report.nightly' } }, async () => {
          const { rows } = await db.query<ExpenseRow>(`SELECT * FROM ${table} WHERE tenant_id = $1 AND created_at > now() - interval '1 day' ORDER BY id`, [tenant.id], {
            name: 'nightly.expenses',
          });
          return (await jobs.enqueue('report.nightly', { expenses: rows.map(toExpense) })).runId;
        });
        runs.push({ tenantId: tenant.id, runId });
      }
      return runs;
    },
    async drained(timeoutMillis = 30_000) {
      const deadline = Date.now() + timeoutMillis;
      for (;;) {
        // Polled outside any request, as an operator's probe: its own trace, kept short.
        const { unsent, open } = await runInNewContext({ name: 'approvals.drain-probe' }, async () => {
          const { rows } = await db.query<{ unsent: number; open: number }>(
            `SELECT (SELECT count(*)::int FROM ${schema}.outbox_events WHERE sent_at IS NULL) AS unsent,
                    (SELECT count(*)::int FROM ${schema}.webhook_deliveries WHERE state NOT IN ('delivered', 'dead', 'disabled')) AS open`,
            [],
            { name: 'drain.probe' },
          );
          return rows[0] ?? { unsent: -1, open: -1 };
        });
        if (unsent === 0 && open === 0) {
          await options.busIdle?.();
          return;
        }
        if (Date.now() > deadline) throw new Error(`not drained after ${timeoutMillis} ms: ${unsent} unsent events, ${open} open deliveries`);
        await sleep(100);
      }
    },
    async stop() {
      await relay?.stop();
      await hooks.stop();
      for (const subscription of subscriptions) await subscription.close();
    },
  };
}
