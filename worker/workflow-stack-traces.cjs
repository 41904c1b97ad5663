/*
 * Preloaded with `node --require` into every process that runs a worker (npm run worker,
 * npm start, the worker processes tests and benchmarks spawn): a --require preload also
 * runs in the SDK's workflow threads, where the SDK installs a promise hook that captures a
 * stack trace for every promise a workflow creates. That hook cost a booking's workflow
 * task 3 to 7 ms (README, Performance). Unless WORKFLOW_STACK_TRACES=on, the hook's API is
 * made to refuse there, which the SDK answers by running without it; the Temporal UI then
 * says a running workflow's stack trace is not enabled on this worker. Turn it on (and
 * restart the worker) to see where a stuck workflow waits.
 */
const { isMainThread } = require('node:worker_threads');

const state = process.env.WORKFLOW_STACK_TRACES === 'on' ? 'on' : 'off';
if (isMainThread) {
  // What worker/stack-trace-preload.ts reports; absent, nothing turned the hook off.
  globalThis[Symbol.for('studio-sessions.workflowStackTraces')] = state;
} else if (state === 'off') {
  // Refused to the SDK's call only: Node's own AsyncLocalStorage, which the SDK's workflows
  // run signals in, creates its promise hook through the same function.
  const { promiseHooks } = require('node:v8');
  const createHook = promiseHooks.createHook;
  promiseHooks.createHook = function (hooks) {
    if (/GlobalHandlers\.setPromiseHook \(.*@temporalio[\\/]worker[\\/]/.test(new Error().stack ?? '')) {
      throw new Error('Workflow stack traces are off (WORKFLOW_STACK_TRACES=on turns them on).');
    }
    return createHook.call(this, hooks);
  };
  // The SDK's own line for this says the API is missing, in plain text among JSON log lines; the worker's start line says it instead.
  const warn = console.warn;
  console.warn = (...args) => {
    if (typeof args[0] === 'string' && args[0].startsWith('v8.promiseHooks.createHook is not available')) return;
    warn(...args);
  };
}
