/**
 * A day of traffic across the tenants, with the faults planted among ordinary requests:
 *
 *   umbrella  its expense search is slow (its data): `stitch slow --tenant <umbrella>`
 *   globex    its webhook endpoint answers 500: `stitch webhooks --retries`
 *   initech   its receipt-less expenses are rejected at `policy.receipt_required`: `stitch errors`
 *   hooli     the `ledger-sync` consumer keeps failing for it: `stitch retries`
 *   stark     one approval whose notification job fails every attempt: `stitch job <runId> --origin`
 *   everyone  a burst on the summary route, over its 500 ms budget: `stitch violations`
 *
 * Requests go one at a time except in the burst: PGlite runs in this process's thread, so two
 * tenants' queries at once would each wait on the other and blur who is slow.
 */
import { TENANT_LIST, TENANTS } from './tenants.js';
import type { Tenant } from './tenants.js';
import type { Conditions } from './service.js';

export interface Answer {
  readonly status: number;
  readonly traceId: string;
  readonly body: Record<string, unknown>;
}

export interface Planted {
  readonly requests: number;
  /** Traces of approvals a policy step rejected (initech). */
  readonly rejectedTraceIds: readonly string[];
  /** The stark approval whose notification fails. */
  readonly bouncedApprovalTraceId: string;
  /** One ordinary approval (acme): the request `npm run evidence` and the trace print follow. */
  readonly showcaseTraceId: string;
}

export const BURST_REQUESTS_PER_TENANT = 4;

export async function call(baseUrl: string, token: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const parsed = (await response.json()) as Record<string, unknown>;
  return { status: response.status, traceId: response.headers.get('x-trace-id') ?? '', body: parsed };
}

export async function submitAndApprove(baseUrl: string, tenant: Tenant, expense: { amountCents: number; category: string; hasReceipt: boolean; description?: string }): Promise<{ submitted: Answer; decided: Answer }> {
  const submitted = await call(baseUrl, tenant.submitter.token, 'POST', '/expenses', { description: 'client visit', ...expense });
  if (submitted.status !== 201) throw new Error(`POST /expenses for ${tenant.name} answered ${submitted.status}: ${JSON.stringify(submitted.body)}`);
  const decided = await call(baseUrl, tenant.approver.token, 'POST', `/expenses/${String(submitted.body.id)}/approve`);
  return { submitted, decided };
}

export async function plantTraffic(baseUrl: string, conditions: Conditions, rounds = 4): Promise<Planted> {
  let requests = 0;
  const rejectedTraceIds: string[] = [];
  const count = async <T>(n: number, answer: Promise<T>): Promise<T> => {
    requests += n;
    return answer;
  };
  const categories = ['travel', 'meals', 'software', 'hardware'];
  for (let n = 0; n < rounds; n += 1) {
    for (const tenant of TENANT_LIST) {
      if (tenant === TENANTS.stark) continue;
      await count(1, call(baseUrl, tenant.submitter.token, 'GET', '/expenses?category=tr'));
      await count(1, call(baseUrl, tenant.submitter.token, 'GET', '/expenses'));
      await count(1, call(baseUrl, tenant.approver.token, 'GET', '/expenses/summary'));
      // Initech's receipts are missing: its strict policy rejects at the receipt step.
      const hasReceipt = tenant !== TENANTS.initech;
      const { decided } = await count(2, submitAndApprove(baseUrl, tenant, { amountCents: 42_00 + n, category: categories[n % 4] as string, hasReceipt }));
      if (decided.status === 422) rejectedTraceIds.push(decided.traceId);
      if (n % 2 === 1) {
        const second = await count(1, call(baseUrl, tenant.submitter.token, 'POST', '/expenses', { amountCents: 9_00, category: 'meals', hasReceipt: true }));
        await count(1, call(baseUrl, tenant.approver.token, 'POST', `/expenses/${String(second.body.id)}/reject`));
      }
    }
  }
  // The peak: every tenant's dashboards at once, over the summary route's budget.
  conditions.burst = true;
  await Promise.all(
    TENANT_LIST.map(async (tenant) => {
      for (let i = 0; i < BURST_REQUESTS_PER_TENANT; i += 1) await count(1, call(baseUrl, tenant.approver.token, 'GET', '/expenses/summary'));
    }),
  );
  conditions.burst = false;
  const bounced = await count(2, submitAndApprove(baseUrl, TENANTS.stark, { amountCents: 120_00, category: 'travel', hasReceipt: true }));
  const showcase = await count(2, submitAndApprove(baseUrl, TENANTS.acme, { amountCents: 64_00, category: 'hardware', hasReceipt: true, description: 'keyboard' }));
  if (showcase.decided.status !== 200) throw new Error(`the showcase approval answered ${showcase.decided.status}: ${JSON.stringify(showcase.decided.body)}`);
  return { requests, rejectedTraceIds, bouncedApprovalTraceId: bounced.decided.traceId, showcaseTraceId: showcase.decided.traceId };
}
