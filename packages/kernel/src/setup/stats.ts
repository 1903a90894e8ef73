// `@stitch/kernel/stats`: the counters behind `stitch.stats()`, for a dashboard or readiness check.
export { samplingStats, exportStats, budgetStats } from './start-stitch.js';
export { logStats } from '../pipeline/logs/log-stats.js';
export type { LogStats } from '../pipeline/logs/log-stats.js';
export type { SamplingStats } from '../pipeline/sampling/tail-sampling-processor.js';
export type { ExportStats } from '../pipeline/export/bounded-batch-processor.js';
export type { BudgetStats } from '../pipeline/budgets/budget-processor.js';
