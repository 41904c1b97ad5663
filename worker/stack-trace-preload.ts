import { fileURLToPath } from 'node:url';

/** Node's arguments for a process that runs a worker: the preload that decides on workflow stack traces reaches its workflow threads. */
export const workflowStackTracePreload = ['--require', fileURLToPath(new URL('./workflow-stack-traces.cjs', import.meta.url))];

/** Whether this process's workflows keep stack traces: on unless the preload turned them off. */
export function workflowStackTraces(): 'on' | 'off' {
  return (globalThis as Record<symbol, unknown>)[Symbol.for('studio-sessions.workflowStackTraces')] === 'off' ? 'off' : 'on';
}
