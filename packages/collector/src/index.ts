// @stitch/collector: embed or script the collector. The `stitch` binary (bin/stitch.js) is the
// usual way in; these are for tests, benches and programs that start one themselves.
export { startCollector } from './server/create-collector.js';
export type { Collector } from './server/create-collector.js';
export { loadCollectorConfig, resolveCollectorConfig, CollectorConfigSchema } from './config/collector-config.js';
export type { CollectorConfig, CollectorConfigInput } from './config/collector-config.js';
export { runCli } from './cli/run-cli.js';
export type { CliIo } from './cli/run-cli.js';
export { StitchError } from '@stitch/contract';
export { decodeOtlp } from './otlp/decode.js';
export type { DecodeResult, Signal, Encoding } from './otlp/decode.js';
