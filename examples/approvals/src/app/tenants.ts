/**
 * The tenants of the approvals service, their bearer tokens (each names a tenant and an actor),
 * and the part each tenant plays among the faults the traffic plants. Tenant and actor ids are
 * UUIDs, as the kernel's TraceContext wants them (seed 000 §3).
 */
import type { PolicyRules } from '../domain/expense.js';
import { DEFAULT_RULES } from '../domain/expense.js';

export interface Actor {
  readonly id: string;
  readonly email: string;
  readonly isManager: boolean;
}

export interface Tenant {
  readonly name: string;
  readonly id: string;
  readonly rules: PolicyRules;
  /** The token of an employee who submits, and of a manager who approves. */
  readonly submitter: { readonly token: string; readonly actor: Actor };
  readonly approver: { readonly token: string; readonly actor: Actor };
}

function tenant(name: string, n: string, rules: PolicyRules = DEFAULT_RULES, submitterEmail = `ann@${name}.example`): Tenant {
  return {
    name,
    id: `${n}000000-0000-4000-8000-0000000000${n}`,
    rules,
    submitter: { token: `tok_${name}_ann`, actor: { id: `${n}111111-0000-4000-8000-0000000000${n}`, email: submitterEmail, isManager: false } },
    approver: { token: `tok_${name}_bob`, actor: { id: `${n}222222-0000-4000-8000-0000000000${n}`, email: `bob@${name}.example`, isManager: true } },
  };
}

export const TENANTS = {
  /** Busy and healthy: many expenses, a webhook endpoint that answers 200. */
  acme: tenant('acme', 'a1'),
  /** Its webhook endpoint answers 500 to everything: the retry storm. */
  globex: tenant('globex', 'b2'),
  /** Strict policy: receipts from 10.00 on; its receipt-less expenses are rejected at `policy.receipt_required`. */
  initech: tenant('initech', 'c3', { ...DEFAULT_RULES, receiptOverCents: 10_00 }),
  /** Its data makes the expense search slow (years of history): slow on one route, like the others elsewhere. */
  umbrella: tenant('umbrella', 'd4'),
  /** Its ledger refuses every entry: the event consumer `ledger-sync` keeps failing for it. */
  hooli: tenant('hooli', 'e5'),
  /** Its submitter's mailbox bounces: the notification job fails every attempt for its approvals. */
  stark: tenant('stark', 'f6', DEFAULT_RULES, 'bounce@stark.invalid'),
  /** Ordinary tenants: the background the others stand out from. */
  wayne: tenant('wayne', 'a7'),
  tyrell: tenant('tyrell', 'b8'),
  soylent: tenant('soylent', 'c9'),
  cyberdyne: tenant('cyberdyne', 'da'),
} as const;

export type TenantName = keyof typeof TENANTS;
export const TENANT_LIST: readonly Tenant[] = Object.values(TENANTS);

/** What a bearer token resolves to. */
export interface Principal {
  readonly tenant: Tenant;
  readonly actor: Actor;
}

export const principalByToken = new Map<string, Principal>(
  TENANT_LIST.flatMap((t) => [
    [t.submitter.token, { tenant: t, actor: t.submitter.actor }],
    [t.approver.token, { tenant: t, actor: t.approver.actor }],
  ]),
);

export const tenantById = new Map<string, Tenant>(TENANT_LIST.map((t) => [t.id, t]));

/** Job names: enqueued by the service's handlers, run by the worker process. */
export const JOB_NAMES = ['notification.send', 'report.render', 'report.nightly'] as const;
