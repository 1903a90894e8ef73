// `@stitch/kernel/logs`: pino with the context's fields on every line, and the OTLP log stream.
export { createLogger } from './create-logger.js';
export type { CreateLoggerOptions } from './create-logger.js';
export { createLoggerFromConfig } from './logger-from-config.js';
export type { ConfiguredLogging } from './logger-from-config.js';
export { createOtlpLogStream } from './otlp-log-stream.js';
export type { OtlpLogStream, OtlpLogStreamOptions, OtlpLogStats } from './otlp-log-stream.js';
export { LogOptionsSchema } from './log-options.js';
export type { LogOptions, LogLevel } from './log-options.js';
