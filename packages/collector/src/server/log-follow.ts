import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LogStreamNotice } from '@stitch/contract';
import { logRowToLine, matchesLogFilter, type LogFilter } from '../questions/logs.js';
import type { LogHub } from './log-hub.js';

/** Open follow streams per token, for the max-concurrent-streams limit (seed 002). */
export class StreamCounter {
  private readonly open = new Map<string, number>();
  constructor(private readonly maxPerToken: number) {}
  tryOpen(tokenId: string): boolean {
    const n = this.open.get(tokenId) ?? 0;
    if (n >= this.maxPerToken) return false;
    this.open.set(tokenId, n + 1);
    return true;
  }
  close(tokenId: string): void {
    const n = (this.open.get(tokenId) ?? 1) - 1;
    if (n <= 0) this.open.delete(tokenId);
    else this.open.set(tokenId, n);
  }
}

export interface FollowOptions {
  tenantId: string | null;
  filter: Omit<LogFilter, 'limit'>;
  linesPerSecond: number;
  onClose: () => void;
}

const HEARTBEAT_MILLIS = 15_000;

/**
 * `stitch logs --follow`: streams NDJSON, one LogLine per line, as lines are committed. Lines
 * past the tail-rate limit in a second are dropped and reported in one `dropped` notice, so a
 * noisy tenant can neither flood the reader nor hold memory for it.
 */
export function followLogs(request: FastifyRequest, reply: FastifyReply, hub: LogHub, options: FollowOptions): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store', 'x-request-id': String(request.id) });
  // Send the headers now: the client should know the stream is open before the first line.
  res.flushHeaders();
  let second = Math.floor(Date.now() / 1000);
  let sentThisSecond = 0;
  let dropped = 0;
  const notice = (n: LogStreamNotice): void => {
    res.write(JSON.stringify(n) + '\n');
  };
  const flushDropped = (): void => {
    if (dropped > 0) {
      notice({ notice: 'dropped', dropped, limit: 'max_tail_rate' });
      dropped = 0;
    }
  };
  const unsubscribe = hub.subscribe((rows) => {
    // One clock reading per committed batch: a batch counts against a single second.
    const now = Math.floor(Date.now() / 1000);
    if (now !== second) {
      second = now;
      sentThisSecond = 0;
      flushDropped();
    }
    for (const row of rows) {
      if (!matchesLogFilter(row, options.tenantId, options.filter)) continue;
      // Also drop when the socket is backed up: a slow reader must not grow our memory.
      if (sentThisSecond >= options.linesPerSecond || res.writableLength > 1024 * 1024) {
        dropped += 1;
        continue;
      }
      sentThisSecond += 1;
      res.write(JSON.stringify(logRowToLine(row)) + '\n');
    }
  });
  const heartbeat = setInterval(() => {
    flushDropped();
    notice({ notice: 'heartbeat' });
  }, HEARTBEAT_MILLIS);
  heartbeat.unref();
  let closed = false;
  const close = (): void => {
    if (closed) return;
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
    options.onClose();
  };
  res.on('close', close);
  request.raw.on('close', close);
}
