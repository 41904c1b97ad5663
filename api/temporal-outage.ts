import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyInstance } from 'fastify';
import {
  NamespaceNotFoundError,
  WorkflowNotFoundError,
  WorkflowUpdateRPCTimeoutOrCancelledError,
  isGrpcServiceError,
  type Client,
} from '@temporalio/client';
import { HttpError } from './errors.js';

/**
 * How a command rides out a Temporal outage (a server restart, a dropped connection): what
 * counts as one, a retry bounded by the request's budget, and the honest answer when the
 * budget runs out, 503 with Retry-After. Every command is keyed (update id, workflow id),
 * so sending it again joins the first attempt instead of doing the work twice.
 */

export interface Budget {
  /** The whole request waits at most this long for Temporal. */
  totalMs: number;
  /** One call is cut at this: a call the server never answers is sent again rather than awaited. */
  attemptMs: number;
}

const RETRY_AFTER_SECONDS = 5;

/** 503 with Retry-After: the outcome is not known yet, and the same request later will tell it. */
export class RetryLater extends HttpError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterSeconds = RETRY_AFTER_SECONDS,
  ) {
    super(503, code, message, { retryAfterSeconds });
  }
}

/** The error handler writes the body; the header is set here, before it runs. */
export function installRetryAfterHeader(app: FastifyInstance): void {
  app.addHook('onError', async (_request, reply, error) => {
    if (error instanceof RetryLater) reply.header('retry-after', String(error.retryAfterSeconds));
  });
}

// gRPC codes a restarting or unreachable server answers with (grpc.status numbering), and
// CANCELLED: the API never cancels a call, but a server ends a long poll at its deadline by
// resetting the stream, which the client reports as CANCELLED when it comes before its own timer.
const CANCELLED = 1;
const UNKNOWN = 2;
const DEADLINE_EXCEEDED = 4;
const RESOURCE_EXHAUSTED = 8;
const ABORTED = 10;
const INTERNAL = 13;
const UNAVAILABLE = 14;
const OUTAGE_CODES = new Set([CANCELLED, UNKNOWN, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNAVAILABLE]);

/** The error and its causes, at most six deep. */
function* causeChain(error: unknown): Generator<unknown> {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth += 1) {
    yield current;
    current = (current as { cause?: unknown }).cause;
  }
}

function grpcCode(error: unknown): number | undefined {
  for (const current of causeChain(error)) if (isGrpcServiceError(current)) return current.code;
  return undefined;
}

/** True when the error says Temporal could not answer now, not that it refused the command. */
export function isOutage(error: unknown): boolean {
  if (error instanceof WorkflowUpdateRPCTimeoutOrCancelledError) return true;
  // A restarted server loads its namespaces a moment after it accepts connections.
  if (error instanceof NamespaceNotFoundError) return true;
  // An update the server had admitted but no worker had accepted dies with the server;
  // sending it again with its id admits it anew.
  if (error instanceof WorkflowNotFoundError && /update .* not found/i.test(error.message)) return true;
  // A workflow whose task is failing or timing out (a worker killed in the middle of it, a
  // task past its timeout under a backlog) refuses updates until a task of it runs again:
  // the same update sent again is admitted then.
  if (saysAnywhere(error, /workflow task in failed state/i)) return true;
  const code = grpcCode(error);
  return code !== undefined && OUTAGE_CODES.has(code);
}

/** Whether the error or one of its causes says this, in its message or its gRPC details. */
function saysAnywhere(error: unknown, text: RegExp): boolean {
  for (const current of causeChain(error)) {
    const { message, details } = current as { message?: unknown; details?: unknown };
    if ((typeof message === 'string' && text.test(message)) || (typeof details === 'string' && text.test(details))) return true;
  }
  return false;
}

/** The promise's outcome if it settles within `ms`, otherwise the fallback's. */
export async function firstSettled<T>(promise: Promise<T>, ms: number, fallback: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = Symbol('late');
  promise.catch(() => undefined);
  const winner = await Promise.race([
    promise,
    new Promise<typeof late>((resolve) => {
      timer = setTimeout(() => resolve(late), ms);
    }),
  ]);
  clearTimeout(timer);
  return winner === late ? fallback() : (winner as T);
}

/**
 * Runs `attempt` until it answers or fails for a reason other than an outage, each call
 * cut at its own deadline; at the budget's end, throws `giveUp()`. The SDK's own gRPC
 * retries may sleep past a deadline, so the budget is also raced: the answer never waits
 * for them, and the last call ends at its deadline in the background.
 */
export async function untilAnswered<T>(
  temporal: Client,
  budget: Budget,
  attempt: () => Promise<T>,
  giveUp: (lastOutage: unknown) => Error,
): Promise<T> {
  const end = Date.now() + budget.totalMs;
  let lastOutage: unknown;
  let givenUp: Error | undefined;
  const giveUpOnce = () => (givenUp ??= giveUp(lastOutage));
  const answer = (async () => {
    let pauseMs = 100;
    while (Date.now() < end) {
      try {
        return await temporal.withDeadline(Math.min(end, Date.now() + budget.attemptMs), attempt);
      } catch (error) {
        if (!isOutage(error)) throw error;
        lastOutage = error;
      }
      await sleep(Math.max(0, Math.min(pauseMs, end - Date.now())));
      pauseMs = Math.min(pauseMs * 2, 1_000);
    }
    throw giveUpOnce();
  })();
  return firstSettled(answer, budget.totalMs, async () => {
    throw giveUpOnce();
  });
}
