/**
 * The seven questions (seed 000 §0, seed 001 "Observability Integration"), each as the
 * `stitch` command that answers it, filled in with this run's ids, and the fault it should
 * find first.
 */
import type { Planted } from './traffic.js';
import type { Stack } from './stack.js';
import { TENANTS } from './tenants.js';

export interface Question {
  readonly question: string;
  readonly planted: string;
  readonly argv: readonly string[];
}

export function questions(stack: Pick<Stack, 'enqueued'>, planted: Planted, nightly: readonly { tenantId: string; runId: string }[]): Question[] {
  const bounced = stack.enqueued.find((run) => run.name === 'notification.send' && run.traceId === planted.bouncedApprovalTraceId);
  return [
    { question: 'Why is tenant umbrella slow?', planted: 'its expense search (expenses.search), slow for it alone', argv: ['slow', '--tenant', TENANTS.umbrella.id] },
    { question: 'Which query caused the spike?', planted: 'expenses.search', argv: ['queries', '--top'] },
    { question: 'Which webhook caused the retry storm?', planted: "globex's endpoint, answering 500", argv: ['webhooks', '--retries'] },
    {
      question: 'Which request triggered this job?',
      planted: "stark's approval, whose notification bounces",
      argv: ['job', bounced?.runId ?? nightly[0]?.runId ?? '-', '--origin'],
    },
    {
      question: 'Which jobs did this request trigger?',
      planted: "stark's approval: its notification.send, which bounces",
      argv: ['request', planted.bouncedApprovalTraceId, '--jobs'],
    },
    { question: 'Which approval failed, and where?', planted: "initech's, at policy.receipt_required", argv: ['errors', '--grep', 'no receipt'] },
    { question: 'Which tenant experienced this failure?', planted: 'stark (550 mailbox unavailable)', argv: ['errors', '--grep', '550 mailbox unavailable'] },
    { question: 'Where did retry loops occur?', planted: 'the ledger-sync consumer (hooli), the webhook storm, the bouncing notification', argv: ['retries'] },
    { question: 'Which route blew its budget?', planted: 'GET /expenses/summary in the burst, every tenant', argv: ['violations'] },
  ];
}
