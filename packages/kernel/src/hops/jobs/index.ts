// `@stitch/kernel/jobs`: one jobs surface over any engine. The engines are their own subpaths
// (`/jobs/bullmq`, `/jobs/pg-boss`), so this one never loads one.
export { createJobs } from './jobs.js';
export type { Jobs, CreateJobsOptions, EnqueueOptions, EnqueuedJob } from './jobs.js';
export type { JobStats, JobNameCounts } from './job-counts.js';
export type { JobHandler, JobInfo } from './job-attempt.js';
export type { JobEngine, EngineDelivery, EngineSendOptions } from './job-engine.js';
export { inProcessJobEngine } from './in-process-engine.js';
export { createSqlRunStore } from './sql-run-store.js';
export { createMemoryRunStore } from './memory-run-store.js';
export type { RunStore, RunOrigin, RunAttemptRecord, RunOutcome } from './job-run-record.js';
export { traceIdForRun, isTraceOfRun } from './run-id.js';
export { JobsOptionsSchema } from './job-options.js';
