import { AsyncLocalStorage, defaultPayloadConverter, type Headers, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { REQUEST_ID_HEADER } from './definitions.js';

/**
 * Workflow interceptors (registered with the worker, bundled into the sandbox): the request
 * id that came with a start, update or signal names the work it caused. The workflow's `log`
 * lines carry it as `reqId`, and the activities, child workflows and signals it schedules
 * carry it on in the same header. A handler's work names its own update or signal; the
 * main function's names the latest request the workflow heard, since it mostly acts on
 * what a handler queued (a confirm, a refund, a freed seat); on a timer that is the last
 * request before it. Headers are not part of a command, so histories replay as they ran.
 * Module state is per workflow execution (the SDK isolates each workflow's modules).
 */
const handledFor = new AsyncLocalStorage<string>();
let latest: string | undefined;

const causedBy = () => handledFor.getStore() ?? latest;

function requestIdOf(headers: Headers): string | undefined {
  const payload = headers[REQUEST_ID_HEADER];
  const value: unknown = payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
  return typeof value === 'string' ? value : undefined;
}

function handled<T>(headers: Headers, work: () => T): T {
  const requestId = requestIdOf(headers);
  if (requestId === undefined) return work();
  latest = requestId;
  return handledFor.run(requestId, work);
}

function passedOn(headers: Headers): Headers {
  const requestId = causedBy();
  return requestId === undefined ? headers : { ...headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) };
}

export const interceptors: WorkflowInterceptorsFactory = () => ({
  inbound: [
    {
      execute: (input, next) => {
        latest = requestIdOf(input.headers);
        return next(input);
      },
      handleUpdate: (input, next) => handled(input.headers, () => next(input)),
      handleSignal: (input, next) => handled(input.headers, () => next(input)),
    },
  ],
  outbound: [
    {
      scheduleActivity: (input, next) => next({ ...input, headers: passedOn(input.headers) }),
      scheduleLocalActivity: (input, next) => next({ ...input, headers: passedOn(input.headers) }),
      startChildWorkflowExecution: (input, next) => next({ ...input, headers: passedOn(input.headers) }),
      signalWorkflow: (input, next) => next({ ...input, headers: passedOn(input.headers) }),
      getLogAttributes: (attributes, next) => {
        const requestId = causedBy();
        return next(requestId === undefined ? attributes : { ...attributes, reqId: requestId });
      },
    },
  ],
});
