import { groupRuns } from './job-run-record.js';
import type { RunAttemptRecord, RunFinish, RunOrigin, RunStore } from './job-run-record.js';
import { z } from 'zod';
import { parseOptions } from '../../core/options/parse-options.js';

const MemoryRunStoreOptionsSchema = z.object({
  /** Runs kept; past this the oldest is forgotten. */
  maxRuns: z.number().int().min(1).default(10_000),
});

/**
 * Run records in memory, for the in-process runner and unit tests. Bounded: past `maxRuns`
 * the oldest runs are forgotten, so a long-lived process cannot grow without limit.
 *
 * @throws StitchError `STITCH_ERR_CONFIG_INVALID` naming each bad option (parseOptions).
 * @example
 *   const jobs = createJobs({ engine: inProcessJobEngine(), runs: createMemoryRunStore() });
 */
export function createMemoryRunStore(options: z.input<typeof MemoryRunStoreOptionsSchema> = {}): RunStore {
  const { maxRuns } = parseOptions(MemoryRunStoreOptionsSchema, options, 'memoryRunStore');
  const runs = new Map<string, RunAttemptRecord[]>();

  return {
    async migrate() {},
    async insert(record) {
      const list = runs.get(record.runId);
      if (list === undefined) {
        runs.set(record.runId, [record]);
        if (runs.size > maxRuns) runs.delete(runs.keys().next().value as string);
      } else {
        const index = list.findIndex((r) => r.attempt === record.attempt);
        if (index === -1) list.push(record);
        else list[index] = record;
      }
    },
    async finish(finish: RunFinish) {
      const list = runs.get(finish.runId);
      const index = list?.findIndex((r) => r.attempt === finish.attempt) ?? -1;
      if (list === undefined || index === -1) return;
      const row = list[index] as RunAttemptRecord;
      list[index] = {
        ...row,
        outcome: finish.outcome,
        durationMillis: finish.durationMillis,
        errorClass: finish.errorClass,
        errorMessage: finish.errorMessage,
      };
    },
    async origin(runId): Promise<RunOrigin | undefined> {
      const list = runs.get(runId);
      return list === undefined ? undefined : groupRuns(list)[0];
    },
    async triggeredBy(id) {
      const rows: RunAttemptRecord[] = [];
      for (const list of runs.values()) {
        const first = list.find((r) => r.attempt === 0) ?? list[0];
        if (first !== undefined && (first.parentTraceId === id || first.parentRequestId === id)) rows.push(...list);
      }
      return groupRuns(rows);
    },
  };
}
