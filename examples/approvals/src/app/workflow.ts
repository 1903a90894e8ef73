/**
 * The approval workflow: runs the domain's policy (`APPROVAL_POLICY`) one named step at a time,
 * each in a span of its own (`policy.<step>`), so "which approval failed, and where?" is
 * answered by the step whose span failed. The application layer (seed 001): the domain's steps
 * are pure and know nothing of spans; this file carries them across.
 */
import { withSpan } from '@stitch/kernel';
import { APPROVAL_POLICY, PolicyRejection } from '../domain/expense.js';
import type { Expense, PolicyRules } from '../domain/expense.js';

export type Decision =
  | { readonly state: 'approved' }
  | { readonly state: 'rejected'; readonly step: string; readonly code: string; readonly reason: string };

/**
 * Runs every step of the policy in order; the first that refuses rejects the expense. The
 * refusing step's span ends with status ERROR and the rejection recorded on it.
 */
export async function decide(expense: Expense, rules: PolicyRules, approver: { readonly isManager: boolean }): Promise<Decision> {
  return withSpan('approval.policy', async () => {
    for (const step of APPROVAL_POLICY) {
      try {
        await withSpan(`policy.${step.name}`, async () => {
          const verdict = step.check(expense, rules, approver);
          if (!verdict.ok) throw new PolicyRejection(verdict.code, step.name, verdict.reason);
        });
      } catch (error) {
        if (!(error instanceof PolicyRejection)) throw error;
        return { state: 'rejected', step: error.step, code: error.code, reason: error.message };
      }
    }
    return { state: 'approved' };
  });
}
