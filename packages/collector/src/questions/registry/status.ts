import { StatusResponseSchema } from '@stitch/contract';
import { z } from 'zod';
import { renderTable } from '../../cli/render-table.js';
import { defineQuestion } from '../question.js';
import { askStatus } from '../status.js';

export const statusQuestion = defineQuestion({
  name: 'status',
  summary: 'ingest rates, store size, retention, dropped and rejected counts',
  route: '/status',
  params: z.object({}),
  scope: 'any',
  answer: StatusResponseSchema,
  ask: (ctx) => askStatus(ctx.store, ctx.stats, ctx.queueDepth(), ctx.config),
  cli: {
    usage: 'stitch status',
    example: 'stitch status --json',
    params: () => ({}),
    render: (s) =>
      renderTable(
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
      ),
  },
});
