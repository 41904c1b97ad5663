import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel as TemporalLogLevel, LogMetadata, Logger as TemporalLogger } from '@temporalio/common';
import type { LogLevel } from '../config/settings.js';

/**
 * Every process writes the same line: one JSON object with `time` (ISO 8601), `level` by
 * name, `msg`, and the ids of what it is about (`reqId`, `workflowId`, `runId`, …), so one
 * `jq` filter follows a request through the API and the worker.
 */

/** Never written, wherever in a line they turn up. */
const SECRETS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["stripe-signature"]',
  'headers.authorization',
  'headers.cookie',
  'headers["stripe-signature"]',
  'password',
  '*.password',
];

/** The checkout simulator's page is reached with a token in its query; the line keeps the path. */
const withoutToken = (url: string | undefined) => url?.replace(/([?&]token=)[^&]*/g, '$1[redacted]');

interface HttpRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number | undefined };
}

export function jsonLines(level: LogLevel, destination?: DestinationStream): Logger {
  const options = {
    level,
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
    redact: { paths: SECRETS, censor: '[redacted]' },
    serializers: {
      err: pino.stdSerializers.err,
      error: pino.stdSerializers.err,
      // Fastify's own choice of fields (no headers, so no Authorization), with the simulator's token masked.
      req: (request: HttpRequest) => ({
        method: request.method,
        url: withoutToken(request.url),
        host: request.host,
        remoteAddress: request.ip,
        remotePort: request.socket?.remotePort,
      }),
      res: (reply: { statusCode: number }) => ({ statusCode: reply.statusCode }),
    },
  };
  return destination ? pino(options, destination) : pino(options);
}

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

/**
 * The Temporal runtime's logger over JSON lines: the SDK's own lines and those of the
 * workflows' and activities' `log`, each with the metadata the SDK gives it (workflowId,
 * runId, activityType, and the reqId the interceptors add).
 */
export function temporalJsonLogger(lines: Logger): TemporalLogger {
  const log = (level: TemporalLogLevel, message: string, meta?: LogMetadata) => lines[PINO_LEVEL[level]](meta ?? {}, message);
  return {
    log,
    trace: (message, meta) => log('TRACE', message, meta),
    debug: (message, meta) => log('DEBUG', message, meta),
    info: (message, meta) => log('INFO', message, meta),
    warn: (message, meta) => log('WARN', message, meta),
    error: (message, meta) => log('ERROR', message, meta),
  };
}
