import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import { defaultPayloadConverter, type Headers } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { REQUEST_ID_HEADER } from '../workflows/definitions.js';

/**
 * The request id, from the HTTP request that asked for a change to the workflow and the
 * activities that make it: the API keeps it for the request's async work, a Temporal
 * header carries it into the workflow (workflows/request-ids.ts passes it on), and the
 * worker keeps it for the activity's. Log lines name it `reqId`, as Fastify does.
 */

/** Short and plain, so an id a caller chose can go into a log line and a header as it came. */
const SAFE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

/** The caller's `x-request-id` when it is short and safe, otherwise a new one. */
export function requestIdFrom(header: unknown): string {
  return typeof header === 'string' && SAFE_REQUEST_ID.test(header) ? header : randomUUID();
}

const current = new AsyncLocalStorage<string>();

export const currentRequestId = (): string | undefined => current.getStore();

/** Runs `work`, and everything it awaits or schedules, as done for `requestId`. */
export const withRequestId = <T>(requestId: string, work: () => T): T => current.run(requestId, work);

export function requestIdOf(headers: Headers): string | undefined {
  const payload = headers[REQUEST_ID_HEADER];
  if (!payload) return undefined;
  const value: unknown = defaultPayloadConverter.fromPayload(payload);
  return typeof value === 'string' && SAFE_REQUEST_ID.test(value) ? value : undefined;
}

function withRequestIdHeader(headers: Headers): Headers {
  const requestId = current.getStore();
  return requestId === undefined ? headers : { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) };
}

/** On every call that can make a workflow act: the API's client, and the worker's (activities that book a promoted client). */
export const requestIdClientInterceptor: WorkflowClientInterceptor = {
  startWithDetails: (input, next) => next({ ...input, headers: withRequestIdHeader(input.headers) }),
  signal: (input, next) => next({ ...input, headers: withRequestIdHeader(input.headers) }),
  signalWithStart: (input, next) => next({ ...input, headers: withRequestIdHeader(input.headers) }),
  startUpdate: (input, next) => next({ ...input, headers: withRequestIdHeader(input.headers) }),
  startUpdateWithStart: (input, next) =>
    next({
      ...input,
      workflowStartHeaders: withRequestIdHeader(input.workflowStartHeaders),
      updateHeaders: withRequestIdHeader(input.updateHeaders),
    }),
};

/**
 * Reads the id the workflow put on the activity: its log lines carry it, and so do the
 * workflow calls it makes. The SDK's "Activity started" line comes before any interceptor,
 * so it is the one line of an activity without it.
 */
export const requestIdActivityInterceptor: ActivityInterceptorsFactory = () => {
  let requestId: string | undefined;
  return {
    inbound: {
      execute: (input, next) => {
        requestId = requestIdOf(input.headers);
        return requestId === undefined ? next(input) : withRequestId(requestId, () => next(input));
      },
    },
    outbound: {
      // `runId` as on the workflow's own lines, so one filter finds a run's lines of both kinds.
      getLogAttributes: (attributes, next) =>
        next({
          ...attributes,
          ...(attributes.workflowRunId === undefined ? {} : { runId: attributes.workflowRunId }),
          ...(requestId === undefined ? {} : { reqId: requestId }),
        }),
    },
  };
};
