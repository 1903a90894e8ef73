import { StatusResponseSchema, type PlatformStatus, type TenantStatus } from '@stitch/contract';
import { z } from 'zod';
import { renderTable } from '../../cli/render-table.js';
import { defineQuestion } from '../question.js';

function renderTenantStatus(s: TenantStatus): string {
  return renderTable(
    ['what', 'value'],
    [
      ['tenant', s.tenantId],
      ['up since', s.startedAt],
      ['spans stored', s.store.spans],
      ['logs stored', s.store.logs],
      ['oldest span', s.store.oldestSpanTime],
      ['retention', `${s.retention.maxAgeHours} h`],
    ],
  );
}

function renderPlatformStatus(s: PlatformStatus): string {
  return renderTable(
    ['what', 'value'],
    [
      ['up since', s.startedAt],
      ['spans accepted', s.ingest.acceptedSpans],
      ['logs accepted', s.ingest.acceptedLogs],
      ['spans/s (last minute)', s.ingest.recentSpansPerSecond],
      ['logs/s (last minute)', s.ingest.recentLogsPerSecond],
      ['spans/s (since start)', s.ingest.spansPerSecond],
      ['rejected records', s.ingest.rejectedRecords],
      ['throttled requests (429/503)', s.ingest.throttledRequests],
      ['undecodable requests', s.ingest.undecodableRequests],
      ['queue', `${s.ingest.queueDepth} / ${s.ingest.queueCapacity}`],
      ['store', s.store.path],
      ['store MiB (file + wal)', (s.store.fileBytes + s.store.walBytes) / 1048576],
      ['spans stored', s.store.spans],
      ['logs stored', s.store.logs],
      ['oldest span', s.store.oldestSpanTime],
      ['retention', `${s.retention.maxAgeHours} h / ${s.retention.maxSizeMb} MiB`],
      ['retention last run', s.retention.lastRunAt],
      ['retention deleted spans/logs', `${s.retention.deletedSpans} / ${s.retention.deletedLogs}`],
      ['forward to', s.forward.url],
      ['forwarded / dropped / failed', `${s.forward.forwarded} / ${s.forward.dropped} / ${s.forward.failed}`],
    ],
  );
}

export const statusQuestion = defineQuestion({
  name: 'status',
  summary: 'ingest rates, store size, retention, dropped and rejected counts (a tenant-bound token: its own stored counts)',
  route: '/status',
  params: z.object({}),
  scope: 'any',
  answer: StatusResponseSchema,
  ask: async (ctx) => {
    // A tenant-bound token sees its tenant's figures only: the platform's totals, store path and
    // forwarder are other tenants' business (issue 15).
    const tenantId = ctx.tenant(undefined);
    const { askStatus, askTenantStatus } = await import('../status.js');
    return tenantId !== null && ctx.token.tenantId !== null ? askTenantStatus(ctx.store, ctx.stats, ctx.config, tenantId) : askStatus(ctx.store, ctx.stats, ctx.queueDepth(), ctx.config);
  },
  cli: {
    usage: 'stitch status',
    example: 'stitch status --json',
    params: () => ({}),
    render: (s) => (s.view === 'tenant' ? renderTenantStatus(s) : renderPlatformStatus(s)),
  },
});
