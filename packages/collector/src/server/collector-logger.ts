import pino, { type DestinationStream, type Level, type Logger } from 'pino';

/** Levels `logLevel` accepts: pino's, plus `silent`. */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = Level | 'silent';

/**
 * The collector's server log: pino JSON lines on stderr (stdout belongs to the CLI's answers).
 * `warn` by default, so a healthy collector is quiet and every 500 or forwarding episode shows.
 *
 * Credentials and bodies never reach it: the error handler logs the error, its ids and the route,
 * not the request; the redact paths are the second line, should a caller ever pass `req`.
 *
 * @example const log = createCollectorLogger('warn') // JSON lines on fd 2
 */
export function createCollectorLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { name: 'stitch-collector' },
      serializers: { err: pino.stdSerializers.err },
      redact: {
        paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'req.body', 'body'],
        censor: '[redacted]',
      },
    },
    // Synchronous on stderr: at warn level lines are rare, and a line written just before a
    // crash must not sit in a buffer.
    destination ?? pino.destination({ fd: 2, sync: true }),
  );
}
