import { AuditResponseSchema } from '@stitch/contract';
import { z } from 'zod';
import { queryAudit } from '../../auth/audit-log.js';
import { renderTable } from '../../cli/render-table.js';
import { defineQuestion, flag } from '../question.js';

export const auditQuestion = defineQuestion({
  name: 'audit',
  summary: 'who read what (admin token)',
  route: '/audit',
  params: z.object({ token: z.string().max(64).optional(), tenant: z.string().max(64).optional(), limit: z.coerce.number().int().positive().optional() }),
  scope: 'admin',
  answer: AuditResponseSchema,
  ask: (ctx, q) => queryAudit(ctx.store, { tokenId: q.token, tenantId: q.tenant, limit: q.limit ?? 200 }),
  cli: {
    usage: 'stitch audit [--limit 200] [--tenant <id>]',
    example: 'stitch audit --limit 50',
    params: (_args, flags) => ({ limit: flag(flags.limit), tenant: flag(flags.tenant) }),
    render: (a) =>
      renderTable(
        ['time', 'token', 'scope', 'tenant', 'status', 'count', 'query'],
        a.entries.map((e) => [e.time, e.tokenId, e.scope, e.tenantId, e.status, e.count, e.query]),
      ),
  },
});
