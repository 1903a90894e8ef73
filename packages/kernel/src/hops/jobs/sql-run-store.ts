import type { Queryable } from '../db/queryable.js';
import { parseSqlStoreOptions } from '../db/sql-store-options.js';
import { runMigration } from '../db/internal/run-migration.js';
import { groupRuns } from './job-run-record.js';
import type { RunAttemptRecord, RunOutcome, RunStore } from './job-run-record.js';

export interface SqlRunStoreOptions {
  /** Schema of the `job_runs` table; created by migrate(). Default `stitch`. */
  readonly schema?: string;
}

interface RunRow {
  run_id: string;
  attempt: number;
  job_name: string;
  engine: string;
  tenant_id: string | null;
  trace_id: string;
  span_id: string | null;
  parent_trace_id: string | null;
  parent_span_id: string | null;
  parent_request_id: string | null;
  new_trace: boolean;
  outcome: RunOutcome;
  started_at: Date | string;
  duration_ms: number | null;
  error_class: string | null;
  error_message: string | null;
}

const COLUMNS =
  'run_id, attempt, job_name, engine, tenant_id, trace_id, span_id, parent_trace_id, parent_span_id, parent_request_id, new_trace, outcome, started_at, duration_ms, error_class, error_message';

/**
 * Run records in Postgres or PGlite, through any `Queryable` (a pool, a client, a transaction
 * handle of `hops/db/`). One row per attempt, keyed by (run_id, attempt); the enqueuing trace and
 * request are indexed because "which jobs did this request trigger?" looks them up.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming a bad `schema` or an unknown option, with the nearest valid one (parseOptions).
 * @example
 *   const runs = createSqlRunStore(db, { schema: 'stitch' });
 *   await runs.migrate();
 *   const jobs = createJobs({ engine, runs });
 */
export function createSqlRunStore(db: Queryable, options: SqlRunStoreOptions = {}): RunStore {
  const { schema, schemaName } = parseSqlStoreOptions(options, 'sqlRunStore');
  const table = `${schema}.job_runs`;
  // Prepared statement names are per connection: the schema is in them so two stores on one
  // pool never claim one name for two texts.
  const statement = (what: string) => `${schemaName}.job_runs.${what}`;

  return {
    migrate: () =>
      runMigration(db, schema, [
        `CREATE TABLE IF NOT EXISTS ${table} (
          run_id text NOT NULL,
          attempt integer NOT NULL,
          job_name text NOT NULL,
          engine text NOT NULL,
          tenant_id text,
          trace_id text NOT NULL,
          span_id text,
          parent_trace_id text,
          parent_span_id text,
          parent_request_id text,
          new_trace boolean NOT NULL DEFAULT false,
          outcome text NOT NULL,
          started_at timestamptz NOT NULL DEFAULT now(),
          duration_ms double precision,
          error_class text,
          error_message text,
          PRIMARY KEY (run_id, attempt))`,
        `CREATE INDEX IF NOT EXISTS job_runs_parent_trace_idx ON ${table} (parent_trace_id)`,
        `CREATE INDEX IF NOT EXISTS job_runs_parent_request_idx ON ${table} (parent_request_id)`,
        `CREATE INDEX IF NOT EXISTS job_runs_trace_idx ON ${table} (trace_id)`,
      ]),

    async insert(r, via = db) {
      // An engine may redeliver an attempt it lost track of (a worker killed mid-run): the later
      // start wins rather than failing the job on a duplicate key.
      await via.query(
        `INSERT INTO ${table} (${COLUMNS}) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16)
         ON CONFLICT (run_id, attempt) DO UPDATE SET span_id = EXCLUDED.span_id, outcome = EXCLUDED.outcome,
           started_at = EXCLUDED.started_at, duration_ms = NULL, error_class = NULL, error_message = NULL`,
        [
          r.runId, r.attempt, r.jobName, r.engine, r.tenantId ?? null, r.traceId, r.spanId ?? null,
          r.parentTraceId ?? null, r.parentSpanId ?? null, r.parentRequestId ?? null, r.newTrace, r.outcome,
          r.startedAt, r.durationMillis ?? null, r.errorClass ?? null, r.errorMessage ?? null,
        ],
        { name: statement('insert') },
      );
    },

    async finish(f) {
      await db.query(
        `UPDATE ${table} SET outcome = $3, duration_ms = $4, error_class = $5, error_message = $6 WHERE run_id = $1 AND attempt = $2`,
        [f.runId, f.attempt, f.outcome, f.durationMillis, f.errorClass ?? null, f.errorMessage ?? null],
        { name: statement('finish') },
      );
    },

    async origin(runId) {
      const { rows } = await db.query<RunRow>(`SELECT ${COLUMNS} FROM ${table} WHERE run_id = $1`, [runId], { name: statement('origin') });
      return groupRuns(rows.map(toRecord))[0];
    },

    async triggeredBy(id) {
      const { rows } = await db.query<RunRow>(
        `SELECT ${COLUMNS} FROM ${table} WHERE run_id IN (
           SELECT run_id FROM ${table} WHERE parent_trace_id = $1 UNION SELECT run_id FROM ${table} WHERE parent_request_id = $1)`,
        [id],
        { name: statement('triggered_by') },
      );
      return groupRuns(rows.map(toRecord));
    },
  };
}

function toRecord(row: RunRow): RunAttemptRecord {
  return {
    runId: row.run_id,
    attempt: row.attempt,
    jobName: row.job_name,
    engine: row.engine,
    tenantId: row.tenant_id ?? undefined,
    traceId: row.trace_id,
    spanId: row.span_id ?? undefined,
    parentTraceId: row.parent_trace_id ?? undefined,
    parentSpanId: row.parent_span_id ?? undefined,
    parentRequestId: row.parent_request_id ?? undefined,
    newTrace: row.new_trace,
    outcome: row.outcome,
    startedAt: row.started_at instanceof Date ? row.started_at : new Date(row.started_at),
    durationMillis: row.duration_ms ?? undefined,
    errorClass: row.error_class ?? undefined,
    errorMessage: row.error_message ?? undefined,
  };
}
