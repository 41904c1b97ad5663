import type { ChildProcess } from 'node:child_process';
import { randomInt } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { bookingWorkflowId, notificationDrainerWorkflowId, rescheduledSignal, type BookingInput } from '../../workflows/definitions.js';
import { eventually } from '../support/eventually.js';
import { startStack, type TestStack } from '../support/stack.js';
import { crash, spawnWorker } from '../support/worker-process.js';

/*
 * A worker run as `npm run worker` runs it has workflow stack traces off unless
 * WORKFLOW_STACK_TRACES=on (worker/workflow-stack-traces.cjs): the SDK's hook behind them cost
 * a booking's workflow task 3 to 7 ms. The Temporal UI asks a running workflow for its stack
 * trace with the __stack_trace query; these are its two answers.
 */

let stack: TestStack;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  stack = await startStack({}, { worker: false });
});
afterEach(async () => {
  if (worker) await crash(worker);
  worker = undefined;
});
afterAll(async () => {
  await stack?.close();
});

const soon = (ms: number) => new Date(Date.now() + ms).toISOString();

/** A booking's workflow waiting for its booking request (running, blocked on a condition), started with a signal as a waitlist starts one. */
async function waitingBooking() {
  const input: BookingInput = {
    sessionId: randomInt(1_000_000, 2_000_000),
    clientId: randomInt(1_000_000, 2_000_000),
    actor: { id: 'system', role: 'system' },
    complimentary: false,
    reminderBeforeMs: 60_000,
    autoCompleteAfterMs: 60_000,
    awaitBookingMs: 60_000,
  };
  return stack.temporal.workflow.signalWithStart('bookToDeduct', {
    workflowId: bookingWorkflowId(input.sessionId, input.clientId),
    taskQueue: stack.settings.temporal.taskQueue,
    args: [input],
    signal: rescheduledSignal,
    signalArgs: [{ startsAt: soon(86_400_000), endsAt: soon(90_000_000) }],
  });
}

/** Once the workflow's first task ran (completed, or failed), its failed tasks' messages. */
async function failedTasks(workflowId: string): Promise<Array<string | null | undefined>> {
  const handle = stack.temporal.workflow.getHandle(workflowId);
  await eventually(async () => {
    const { events } = await handle.fetchHistory();
    expect(events!.some((event) => event.workflowTaskCompletedEventAttributes || event.workflowTaskFailedEventAttributes)).toBe(true);
  }, 20_000);
  const { events } = await handle.fetchHistory();
  return events!
    .filter((event) => event.workflowTaskFailedEventAttributes)
    .map((event) => event.workflowTaskFailedEventAttributes!.failure?.message);
}

describe('workflow stack traces', () => {
  it('are off by default: the stack-trace query says they are not enabled on this worker', { timeout: 60_000 }, async () => {
    worker = await spawnWorker(stack.settings);
    const handle = await waitingBooking();
    try {
      // The outbox's drainer, started with the worker, is the first to run a signal in its thread.
      expect(await failedTasks(notificationDrainerWorkflowId(stack.settings.temporal.taskQueue))).toEqual([]);
      expect(await failedTasks(handle.workflowId)).toEqual([]);
      await expect(handle.query('__stack_trace')).rejects.toThrow(/stack traces are not enabled on this worker/);
    } finally {
      await handle.terminate('test over');
    }
  });

  it('with WORKFLOW_STACK_TRACES=on, the query shows where the workflow waits', { timeout: 60_000 }, async () => {
    worker = await spawnWorker(stack.settings, { WORKFLOW_STACK_TRACES: 'on' });
    const handle = await waitingBooking();
    try {
      expect(await failedTasks(handle.workflowId)).toEqual([]);
      const trace = await handle.query<string>('__stack_trace');
      expect(trace).toMatch(/bookToDeduct/);
    } finally {
      await handle.terminate('test over');
    }
  });
});
