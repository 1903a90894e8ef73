import type { Logger } from 'pino';
import type { StitchConfig } from '../../setup/config/stitch-config.js';
import { createRedactor } from '../redaction/redactor.js';
import type { Redactor } from '../redaction/redactor.js';
import { createLogger } from './create-logger.js';
import { createOtlpLogStream } from './otlp-log-stream.js';
import type { OtlpLogStream } from './otlp-log-stream.js';

export interface ConfiguredLogging {
  readonly logger: Logger;
  /** The redactor built from `config.redaction`; hand the same one to span export. */
  readonly redactor: Redactor;
  /** Present when `logs.otlp.exporter` is `otlp` (and the kernel is enabled). */
  readonly otlp: OtlpLogStream | undefined;
  /** Flushes and stops the OTLP stream, if any, within `timeoutMillis` when given; never rejects. */
  shutdown(timeoutMillis?: number): Promise<void>;
}

/**
 * The kernel logger as the loaded configuration describes it: level, service, node id,
 * redaction, and OTLP export of log lines when configured.
 *
 * @example
 *   const config = loadConfig();
 *   const { logger, redactor, shutdown } = createLoggerFromConfig(config);
 */
export function createLoggerFromConfig(config: Pick<StitchConfig, 'enabled' | 'service' | 'logs' | 'redaction'>): ConfiguredLogging {
  const redactor = createRedactor(config.redaction);
  const { exporter: kind, ...otlpOptions } = config.logs.otlp;
  const otlp =
    config.enabled && kind === 'otlp'
      ? createOtlpLogStream({ ...otlpOptions, serviceName: config.service.name, resourceAttributes: config.service.resourceAttributes })
      : undefined;
  const logger = createLogger({ service: config.service.name, nodeId: config.service.nodeId, level: config.logs.level, redactor, otlp });
  return { logger, redactor, otlp, shutdown: async (timeoutMillis) => otlp?.shutdown(timeoutMillis) };
}
