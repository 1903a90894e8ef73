import { SlowResponseSchema, type SlowResponse } from '@stitch/contract';
import { renderTable } from '../../cli/render-table.js';
import { StitchError } from '@stitch/contract';
import { defineQuestion, windowFlags, WindowParams } from '../question.js';

/**
 * The first row in a sentence under the table, with all of its example traces: a table cell holds
 * one trace id, and the answer is "the route, and inside it the step, with example traces".
 */
function renderCulprit(s: SlowResponse): string {
  const first = s.routes[0];
  if (first === undefined || first.platformWide) return '';
  const ms = (v: number): string => `${v.toFixed(1)} ms`;
  const against =
    first.otherTenantsP95Ms === null ? '' : ` against ${ms(first.otherTenantsP95Ms)} for the other tenants` + (first.otherTenantsRatio === null ? '' : ` (${first.otherTenantsRatio.toFixed(1)}×)`);
  const step = first.step ? `; inside it ${first.step.name} (${first.step.component})` + (first.step.excessMs === null ? '' : ` accounts for ${ms(first.step.excessMs)} of excess`) : '';
  const traces = first.exampleTraceIds?.length ? `\n  example traces: ${first.exampleTraceIds.join(' ')}` : '';
  return `\nculprit: ${first.route}: p95 ${ms(first.p95Ms)}${against}${step}${traces}\n`;
}

export const slowQuestion = defineQuestion({
  name: 'slow',
  asks: 'Why is tenant X slow?',
  summary: "why tenant X is slow: routes ranked by X's excess over the other tenants, slowest traces",
  route: '/slow',
  params: WindowParams,
  scope: 'traces:read',
  answer: SlowResponseSchema,
  async ask(ctx, params) {
    const scope = ctx.scope(params);
    if (scope.tenantId === null) throw new StitchError('STITCH_ERR_COLLECTOR_TENANT_REQUIRED');
    return (await import('../slow.js')).askSlow(ctx.store, scope.tenantId, scope, ctx.token.tenantId === null);
  },
  cli: {
    usage: 'stitch slow --tenant <id> [--since 1h]',
    example: 'stitch slow --tenant 11111111-1111-4111-8111-111111111111 --since 1h',
    params: (_args, flags) => windowFlags(flags),
    render: (s) =>
      `tenant ${s.tenantId}  ${s.window.since} .. ${s.window.until}\n` +
      renderTable(
        ['route', 'count', 'p50', 'p95', 'others p95', 'ratio', 'excess ms', 'platform-wide', 'budget', 'violations', 'step', 'step excess ms', 'example trace'],
        s.routes.map((r) => [
          r.route,
          r.count,
          r.p50Ms,
          r.p95Ms,
          r.otherTenantsP95Ms,
          r.otherTenantsRatio,
          r.excessMs,
          r.platformWide ? 'yes' : 'no',
          r.budgetMs,
          r.violations,
          r.step?.name,
          r.step?.excessMs,
          r.exampleTraceIds?.[0],
        ]),
      ) +
      renderCulprit(s) +
      '\nslowest traces\n' +
      renderTable(
        ['trace', 'route', 'ms', 'dominant child', 'component', 'child ms'],
        s.slowestTraces.map((t) => [t.traceId, t.route, t.durationMs, t.dominantChild?.name, t.dominantChild?.component, t.dominantChild?.durationMs]),
      ),
  },
  ui: { path: '#/overview', label: 'Tenant overview (pick the tenant)' },
});
