export { bullmqJobEngine } from './bullmq-engine.js';
export type { BullmqJobEngineOptions } from './bullmq-engine.js';
