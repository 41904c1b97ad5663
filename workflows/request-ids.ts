import { AsyncLocalStorage, defaultPayloadConverter, type Headers, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { REQUEST_ID_HEADER } from './definitions.js';

/**
 * Workflow interceptors (registered with the worker, bundled into the sandbox): the request
 * id that came with a start, update or signal names the work it caused. The workflow's `log`
 * lines carry it as `reqId`, and the activities, child workflows and signals it schedules
 * carry it on in the same header. Work the main function does carries the id of the
 * request that started the workflow; a handler's work, that of its own update or signal.
 * Headers are not part of a command, so histories replay as they ran.
 */
const causedBy = new AsyncLocalStorage<string>();

function requestIdOf(headers: Headers): string | undefined {
  const payload = headers[REQUEST_ID_HEADER];
  const value: unknown = payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
  return typeof value === 'string' ? value : undefined;
}

function within<T>(headers: Headers, work: () => T): T {
  const requestId = requestIdOf(headers);
  return requestId === undefined ? work() : causedBy.run(requestId, work);
}

function passedOn(headers: Headers): Headers {
  const requestId = causedBy.getStore();
  return requestId === undefined ? headers : { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) };
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      execute: (input, next) => within(input.headers, () => next(input)),
      handleUpdate: (input, next) => within(input.headers, () => next(input)),
      handleSignal: (input, next) => within(input.headers, () => next(input)),
    },
  ],
  outbound: [
    {
      scheduleActivity: (input, next) => next({ ...input, headers: passedOn(input.headers) }),
      scheduleLocalActivity: (input, next) => next({ ...input, headers: passedOn(input.headers) }),
      startChildWorkflowExecution: (input, next) => next({ ...input, headers: passedOn(input.headers) }),
      signalWorkflow: (input, next) => next({ ...input, headers: passedOn(input.headers) }),
      getLogAttributes: (attributes, next) => {
        const requestId = causedBy.getStore();
        return next(requestId === undefined ? attributes : { ...attributes, reqId: requestId });
      },
    },
  ],
});
