// `@stitch/kernel/config`: the one loader of configuration, and its schema.
export { loadConfig } from './load-config.js';
export type { LoadConfigOptions } from './load-config.js';
export { StitchConfigSchema } from './stitch-config.js';
export type { StitchConfig, StitchConfigInput } from './stitch-config.js';
