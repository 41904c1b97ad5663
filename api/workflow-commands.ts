import { randomUUID } from 'node:crypto';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Settings } from '../config/settings.js';
import type { allocation, bookToDeduct } from '../workflows/index.js';
import {
  ClientIdKey, SessionIdKey, allocationWorkflowId, bookUpdate, bookingWorkflowId, cancelUpdate, completeSignal,
  confirmSignal, noShowSignal, rescheduledSignal,
  type Actor, type AllocationInput, type AllocationResult, type BookingOutcome, type CancelOutcome, type CancelRequest,
} from '../workflows/definitions.js';

/**
 * The API's only way into the workflows: each function starts or steers one workflow with
 * its deterministic id, so duplicate requests collapse onto the same execution.
 */
export class WorkflowCommands {
  constructor(private readonly temporal: Client, private readonly settings: Settings) {}

  async ping(): Promise<void> {
    await this.temporal.connection.workflowService.getSystemInfo({});
  }

  private get taskQueue() {
    return this.settings.temporal.taskQueue;
  }

  /** Update-with-Start: the HTTP response carries the booking's outcome from the first workflow task. */
  async book(request: { sessionId: number; clientId: number; actor: Actor; complimentary: boolean; requestId?: string | undefined }): Promise<BookingOutcome> {
    const { policies } = this.settings;
    const startWorkflowOperation = new WithStartWorkflowOperation<typeof bookToDeduct>('bookToDeduct', {
      workflowId: bookingWorkflowId(request.sessionId, request.clientId),
      taskQueue: this.taskQueue,
      args: [{
        sessionId: request.sessionId, clientId: request.clientId, actor: request.actor, complimentary: request.complimentary,
        reminderBeforeMs: Math.round(policies.reminderBeforeMinutes * 60_000),
        autoCompleteAfterMs: Math.round(policies.autoCompleteAfterMinutes * 60_000),
      }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [
        { key: ClientIdKey, value: String(request.clientId) },
        { key: SessionIdKey, value: String(request.sessionId) },
      ],
    });
    return this.temporal.workflow.executeUpdateWithStart(bookUpdate, {
      startWorkflowOperation,
      ...(request.requestId ? { updateId: `book-${request.requestId}` } : {}),
    });
  }

  cancel(workflowId: string, request: CancelRequest, requestId?: string): Promise<CancelOutcome> {
    return this.temporal.workflow.getHandle(workflowId).executeUpdate(cancelUpdate, {
      args: [request],
      ...(requestId ? { updateId: `cancel-${requestId}` } : {}),
    });
  }

  async signal(workflowId: string, kind: 'confirm' | 'complete' | 'no-show', actor: Actor): Promise<void> {
    const signal = kind === 'confirm' ? confirmSignal : kind === 'complete' ? completeSignal : noShowSignal;
    await this.temporal.workflow.getHandle(workflowId).signal(signal, actor);
  }

  async rescheduled(workflowId: string, times: { startsAt: string; endsAt: string }): Promise<void> {
    await this.temporal.workflow.getHandle(workflowId).signal(rescheduledSignal, times);
  }

  /**
   * One allocation per idempotency key: a repeat while it runs joins it, a repeat after it
   * finished (the reuse policy refuses a second run) reads the first one's result.
   */
  async allocate(input: Omit<AllocationInput, 'idempotencyKey'> & { idempotencyKey?: string | undefined }): Promise<AllocationResult & { workflowId: string }> {
    const idempotencyKey = input.idempotencyKey ?? randomUUID();
    const workflowId = allocationWorkflowId(idempotencyKey);
    try {
      const handle = await this.temporal.workflow.start<typeof allocation>('allocation', {
        workflowId,
        taskQueue: this.taskQueue,
        args: [{ ...input, idempotencyKey }],
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
        typedSearchAttributes: [{ key: ClientIdKey, value: String(input.clientId) }],
      });
      return { ...(await handle.result()), workflowId };
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      return { ...(await this.temporal.workflow.getHandle<typeof allocation>(workflowId).result()), workflowId };
    }
  }
}
