import { StatusResponseSchema, type PlatformStatus, type TenantStatus } from '@stitch/contract';
import { z } from 'zod';
import { renderTable, type Cell } from '../../cli/render-table.js';
import { defineQuestion } from '../question.js';

/**
 * Spans' and logs' retention: Stitch's limits on DuckDB; on ClickHouse the tables' own TTL, a row
 * each (a TTL expression would not fit beside the other's in one cell).
 */
function spanRetentionRows(r: TenantStatus['retention'] & { maxSizeMb?: number | null }): Array<[string, Cell]> {
  if (r.tableTtl !== null) return [['otel_traces TTL', r.tableTtl.traces ?? 'none (kept forever)'], ['otel_logs TTL', r.tableTtl.logs ?? 'none (kept forever)']];
  return [['retention', r.maxSizeMb === undefined || r.maxSizeMb === null ? `${r.maxAgeHours} h` : `${r.maxAgeHours} h / ${r.maxSizeMb} MiB`]];
}

function renderTenantStatus(s: TenantStatus): string {
  return renderTable(
    ['what', 'value'],
    [
      ['tenant', s.tenantId],
      ['up since', s.startedAt],
      ['spans stored', s.store.spans],
      ['logs stored', s.store.logs],
      ['oldest span', s.store.oldestSpanTime],
      ...spanRetentionRows(s.retention),
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
      ...spanRetentionRows(s.retention),
      ['audit retention', `${s.retention.auditMaxAgeDays} d`],
      ['retention last run', s.retention.lastRunAt],
      ['retention deleted spans/logs/audit', `${s.retention.deletedSpans} / ${s.retention.deletedLogs} / ${s.retention.deletedAudit}`],
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
