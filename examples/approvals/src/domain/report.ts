/**
 * Rendering an expense report line and the nightly totals: pure functions the worker runs.
 */
import type { Expense } from './expense.js';

export interface ReportLine {
  readonly expenseId: number;
  readonly text: string;
}

export function renderLine(expense: Pick<Expense, 'id' | 'amountCents' | 'category' | 'description'>): ReportLine {
  const amount = (expense.amountCents / 100).toFixed(2);
  return { expenseId: expense.id, text: `#${expense.id}  ${expense.category.padEnd(12)} ${amount.padStart(10)}  ${expense.description}` };
}

export function totalCents(expenses: readonly Pick<Expense, 'amountCents'>[]): number {
  return expenses.reduce((sum, e) => sum + e.amountCents, 0);
}
