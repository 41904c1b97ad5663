import type { FastifyError, FastifyInstance } from 'fastify';
import { ApplicationFailure, WorkflowUpdateFailedError, WithStartWorkflowOperation } from '@temporalio/client';
import { asDomainError, DomainError, ErrorCode } from '../model/errors.js';

/** An error the API answers as-is: a status, a human message and a machine code. */
export class HttpError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(message);
  }
}

const STATUS_BY_CODE: Record<string, number> = {
  [ErrorCode.NoCredits]: 400,
  [ErrorCode.InvalidRequest]: 400,
  [ErrorCode.NotBookable]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.SessionFull]: 409,
  [ErrorCode.Overlap]: 409,
  [ErrorCode.AlreadyBooked]: 409,
  [ErrorCode.Conflict]: 409,
  [ErrorCode.LastAdmin]: 409,
  [ErrorCode.SeatsAvailable]: 409,
  [ErrorCode.WaitlistClosed]: 409,
  [ErrorCode.PromotionInProgress]: 409,
  [ErrorCode.BookingClosing]: 409,
};

/** The ApplicationFailure a workflow or activity raised, however deeply Temporal wrapped it. */
function applicationFailure(error: unknown): ApplicationFailure | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth += 1) {
    if (current instanceof ApplicationFailure && current.type && current.type in STATUS_BY_CODE_REVERSE) return current;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
const STATUS_BY_CODE_REVERSE = Object.fromEntries(Object.keys(STATUS_BY_CODE).map((code) => [code, true]));

/** Maps business failures from any layer (data, activity, workflow) to an HttpError. */
export function toHttpError(error: unknown): HttpError | undefined {
  if (error instanceof HttpError) return error;
  const domain = asDomainError(error);
  if (domain instanceof DomainError) {
    return new HttpError(STATUS_BY_CODE[domain.code] ?? 400, domain.code, domain.message, domain.details);
  }
  const failure = applicationFailure(error);
  if (failure) {
    const details = (failure.details?.[0] ?? {}) as Record<string, unknown>;
    return new HttpError(STATUS_BY_CODE[failure.type!] ?? 400, failure.type!, failure.message, details);
  }
  return undefined;
}

/** SQLSTATE classes 08 (connection) and 57P (server shutting down or starting), and the driver's own words for a lost connection. */
function databaseUnreachable(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    const candidate = current as { code?: unknown; message?: unknown; cause?: unknown; previous?: unknown };
    const code = typeof candidate.code === 'string' ? candidate.code : '';
    if (/^08|^57P0[1-3]$|^ECONNREFUSED$|^ECONNRESET$/.test(code)) return true;
    if (
      typeof candidate.message === 'string' &&
      /Connection terminated|Timeout acquiring a connection|the database system is/i.test(candidate.message)
    )
      return true;
    current = candidate.cause ?? candidate.previous;
  }
  return false;
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setNotFoundHandler((request, reply) => {
    reply.code(404).send({ message: `No route for ${request.method} ${request.url.split('?')[0]}`, code: 'NOT_FOUND' });
  });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.validation) {
      return reply.code(400).send({ message: `Invalid request: ${error.message}`, code: 'VALIDATION_FAILED' });
    }
    const known = toHttpError(error);
    if (known) {
      const { constraint: _constraint, ...extra } = known.extra;
      return reply.code(known.statusCode).send({ message: known.message, code: known.code, ...extra });
    }
    const status = error.statusCode ?? 500;
    if (status === 429) {
      return reply.code(429).send({ message: 'Too many requests; slow down and try again shortly.', code: 'RATE_LIMITED' });
    }
    if (status >= 400 && status < 500) {
      return reply.code(status).send({ message: error.message, code: error.code ?? 'BAD_REQUEST' });
    }
    if (databaseUnreachable(error)) {
      // PostgreSQL restarting or unreachable: nothing was committed, and the same request later will be answered.
      request.log.warn({ err: error }, 'PostgreSQL unreachable; answering 503');
      return reply.code(503).header('retry-after', '5').send({
        message: 'The database is unavailable for a moment; nothing was changed. Please try again shortly.',
        code: 'TEMPORARILY_UNAVAILABLE',
      });
    }
    request.log.error({ err: error }, 'unhandled error');
    return reply.code(500).send({ message: 'Something went wrong on our side; nothing was changed. Please try again.', code: 'INTERNAL' });
  });
}

export { WorkflowUpdateFailedError, WithStartWorkflowOperation };
