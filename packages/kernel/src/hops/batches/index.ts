// `@stitch/kernel/batches`: a batch run, one span per item.
export { batch, runBatch } from './batch-run.js';
export type { BatchOptions, BatchResult, BatchItemOutcome } from './batch-run.js';
