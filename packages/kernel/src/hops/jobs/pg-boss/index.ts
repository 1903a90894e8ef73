export { pgBossJobEngine } from './pg-boss-engine.js';
export type { PgBossJobEngineOptions } from './pg-boss-engine.js';
