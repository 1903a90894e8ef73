import type { HealthCheck } from './health-check.js';

/**
 * The built-in readiness checks. Each takes the connection the service already owns
 * (structural types: the kernel loads no driver for them) and asks it a question that needs a
 * round trip, since a pool or client object says nothing about the server behind it.
 */

/** The database answers `SELECT 1` (a pg Pool, the kernel's `Database`, PGlite). */
export function databaseCheck(db: { query(sql: string): Promise<unknown> }, name = 'database'): HealthCheck {
  return { name, check: async () => void (await db.query('SELECT 1')) };
}

/** A NATS connection (the event bus's) is open and answers a ping (`flush()` is a round trip). */
export function natsCheck(connection: { isClosed(): boolean; flush(): Promise<void> }, name = 'bus'): HealthCheck {
  return {
    name,
    check: async () => {
      if (connection.isClosed()) return 'the NATS connection is closed';
      await connection.flush();
    },
  };
}

/** A Redis client (BullMQ's, for the job worker) answers PING. */
export function redisCheck(client: { ping(): Promise<string> }, name = 'jobs'): HealthCheck {
  return {
    name,
    check: async () => {
      const answer = await client.ping();
      return answer === 'PONG' ? undefined : `redis answered ${answer} to PING`;
    },
  };
}

/** The oldest unsent outbox event is younger than `maxAgeMillis`: the relay keeps up. */
export function outboxLagCheck(outbox: { lag(): Promise<{ unsentCount: number; oldestUnsentAgeMillis: number }> }, options: { maxAgeMillis: number }, name = 'outbox'): HealthCheck {
  return {
    name,
    check: async () => {
      const lag = await outbox.lag();
      return lag.oldestUnsentAgeMillis > options.maxAgeMillis
        ? `oldest of ${lag.unsentCount} unsent events is ${Math.round(lag.oldestUnsentAgeMillis)} ms old (limit ${options.maxAgeMillis} ms)`
        : undefined;
    },
  };
}

interface ExportCounts {
  export: { droppedQueueFull: number; droppedExportFailed: number };
  logExport: { droppedQueueFull: number; failed: number };
}

/**
 * The exporter dropped nothing since the previous probe (spans or log records). Optional by
 * default: lost telemetry is a reason to page the platform team, not to take the service out
 * of its load balancer, so it degrades readiness rather than failing it.
 */
export function exporterCheck(stitch: { stats(): ExportCounts }, name = 'exporter', optional = true): HealthCheck {
  const total = (): number => {
    const s = stitch.stats();
    return s.export.droppedQueueFull + s.export.droppedExportFailed + s.logExport.droppedQueueFull + s.logExport.failed;
  };
  let last = total();
  return {
    name,
    optional,
    check: () => {
      const now = total();
      const dropped = now - last;
      last = now;
      return dropped > 0 ? `${dropped} spans or log records dropped since the last probe` : undefined;
    },
  };
}
