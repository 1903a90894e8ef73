/**
 * An expense and the approval policy it goes through: the service's domain, pure. It knows
 * nothing of requests, tenants' plumbing or tracing (seed 001, "Architectural Placement": the
 * domain layer must not know about tracing); the workflow in `app/` runs each step in a span.
 */
export type ExpenseState = 'submitted' | 'approved' | 'rejected';

export interface Expense {
  readonly id: number;
  readonly amountCents: number;
  readonly category: string;
  readonly description: string;
  readonly hasReceipt: boolean;
  readonly state: ExpenseState;
}

/** What a tenant's policy allows: the part of the policy that differs between tenants. */
export interface PolicyRules {
  /** Over this amount a receipt is required. */
  readonly receiptOverCents: number;
  /** Over this amount a manager must sign off (the approver must be a manager). */
  readonly managerOverCents: number;
  readonly blockedCategories: readonly string[];
}

export const DEFAULT_RULES: PolicyRules = { receiptOverCents: 25_00, managerOverCents: 500_00, blockedCategories: ['gambling'] };

/** A policy step's verdict: expected outcomes are values (STYLE.md §5). */
export type StepVerdict = { readonly ok: true } | { readonly ok: false; readonly code: string; readonly reason: string };

export interface PolicyStep {
  /** Stable, low-cardinality: it names the step's span (`policy.<name>`). */
  readonly name: string;
  check(expense: Expense, rules: PolicyRules, approver: { readonly isManager: boolean }): StepVerdict;
}

const ok: StepVerdict = { ok: true };

/** The approval policy, in the order its steps run. */
export const APPROVAL_POLICY: readonly PolicyStep[] = [
  {
    name: 'category_allowed',
    check: (e, rules) => (rules.blockedCategories.includes(e.category) ? { ok: false, code: 'POLICY_CATEGORY_BLOCKED', reason: `category ${e.category} is not reimbursed` } : ok),
  },
  {
    name: 'receipt_required',
    check: (e, rules) =>
      e.amountCents > rules.receiptOverCents && !e.hasReceipt
        ? { ok: false, code: 'POLICY_RECEIPT_MISSING', reason: `expense ${e.id} is over ${rules.receiptOverCents / 100} and has no receipt` }
        : ok,
  },
  {
    name: 'manager_sign_off',
    check: (e, rules, approver) =>
      e.amountCents > rules.managerOverCents && !approver.isManager
        ? { ok: false, code: 'POLICY_MANAGER_REQUIRED', reason: `expense ${e.id} needs a manager's sign-off` }
        : ok,
  },
];

/** A step refused the expense: raised by the workflow so the step's span and the answer say why. */
export class PolicyRejection extends Error {
  override readonly name = 'PolicyRejection';
  constructor(
    readonly code: string,
    readonly step: string,
    message: string,
  ) {
    super(message);
  }
}

/** A state change the current state does not allow (approving a rejected expense). */
export class InvalidTransition extends Error {
  override readonly name = 'InvalidTransition';
  readonly code = 'EXPENSE_INVALID_TRANSITION';
  constructor(from: ExpenseState, to: ExpenseState) {
    super(`an expense that is ${from} cannot become ${to}`);
  }
}

export function assertTransition(from: ExpenseState, to: ExpenseState): void {
  if (from !== 'submitted') throw new InvalidTransition(from, to);
}

/** Validates a submission's body; returns the reason it is refused, or the fields. */
export function parseSubmission(body: unknown): { ok: true; amountCents: number; category: string; description: string; hasReceipt: boolean } | { ok: false; reason: string } {
  const b = (body ?? {}) as Record<string, unknown>;
  if (typeof b.amountCents !== 'number' || !Number.isInteger(b.amountCents) || b.amountCents <= 0) return { ok: false, reason: 'amountCents must be a positive integer' };
  if (typeof b.category !== 'string' || b.category.length === 0 || b.category.length > 40) return { ok: false, reason: 'category must be a string of 1 to 40 characters' };
  const description = typeof b.description === 'string' ? b.description.slice(0, 200) : '';
  return { ok: true, amountCents: b.amountCents, category: b.category, description, hasReceipt: b.hasReceipt === true };
}
