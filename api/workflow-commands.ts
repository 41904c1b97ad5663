import { randomUUID } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { WithStartWorkflowOperation, WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Settings } from '../config/settings.js';
import { HttpError } from './errors.js';
import type { allocation, bookToDeduct, cancelSession, rescheduleSession } from '../workflows/index.js';
import {
  ClientIdKey, SessionIdKey, allocationWorkflowId, bookUpdate, bookingWorkflowId, cancelUpdate, completeSignal,
  confirmSignal, noShowSignal, sessionCancelWorkflowId, sessionRescheduleWorkflowId,
  type Actor, type AllocationInput, type AllocationResult, type BookingOutcome, type CancelOutcome, type CancelRequest,
  type SessionRescheduleInput,
} from '../workflows/definitions.js';
import type { ChangedSession } from '../activities/sessions.js';

const BOOKING_ANSWER_MS = 8_000;
/** A session's bookings get this long to cancel through their own workflows before the session change cancels them itself. */
const SESSION_SETTLE_MS = 5_000;
const SESSION_ANSWER_MS = 8_000;

/** The promise's outcome if it settles within `ms`, otherwise the fallback's. */
async function firstSettled<T>(promise: Promise<T>, ms: number, fallback: () => Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = Symbol('late');
  promise.catch(() => undefined);
  const winner = await Promise.race([promise, new Promise<typeof late>((resolve) => { timer = setTimeout(() => resolve(late), ms); })]);
  clearTimeout(timer);
  return winner === late ? fallback() : (winner as T);
}

/**
 * The API's only way into the workflows: each function starts or steers one workflow with
 * its deterministic id, so duplicate requests collapse onto the same execution.
 */
export class WorkflowCommands {
  constructor(
    private readonly temporal: Client,
    private readonly settings: Settings,
    private readonly log: Pick<FastifyBaseLogger, 'warn'>,
  ) {}

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
    const workflowId = bookingWorkflowId(request.sessionId, request.clientId);
    const updateId = `book-${request.requestId ?? randomUUID()}`;
    const answer = this.temporal.workflow.executeUpdateWithStart(bookUpdate, { startWorkflowOperation, updateId });
    // Seen on the dev server under a 50-way rush: the workflow completed the update within
    // 50 ms but the Update-with-Start call never returned. Past a few seconds, ask for the
    // update's outcome by its id instead; the booking itself is durable either way.
    return firstSettled(answer, BOOKING_ANSWER_MS, () => {
      this.log.warn({ workflowId, updateId }, 'Update-with-Start gave no answer in time; polling the update by id');
      return firstSettled(this.temporal.workflow.getHandle(workflowId).getUpdateHandle<BookingOutcome>(updateId).result(), BOOKING_ANSWER_MS, () => {
        throw new HttpError(503, 'BOOKING_PENDING', 'The booking is still being processed; check your bookings in a moment before trying again.');
      });
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

  /**
   * Cancels a whole session in its workflow (closing it, then each booking through its own
   * workflow); a repeat joins the first. Answers the bookings' outcomes, or undefined when
   * they take longer than the request may wait (the workflow finishes them regardless).
   */
  async cancelSession(request: { sessionId: number; actor: Actor; reason: string }): Promise<{ workflowId: string; outcomes: CancelOutcome[] | undefined }> {
    const workflowId = sessionCancelWorkflowId(request.sessionId);
    const handle = await this.temporal.workflow.start<typeof cancelSession>('cancelSession', {
      workflowId,
      taskQueue: this.taskQueue,
      args: [{ ...request, settleTimeoutMs: SESSION_SETTLE_MS }],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: [{ key: SessionIdKey, value: String(request.sessionId) }],
    });
    return { workflowId, outcomes: await firstSettled(handle.result(), SESSION_ANSWER_MS, async () => undefined) };
  }

  /** Moves, reassigns or resizes a session in its workflow; one at a time per session (409 while another runs). */
  async rescheduleSession(request: SessionRescheduleInput): Promise<ChangedSession> {
    try {
      const handle = await this.temporal.workflow.start<typeof rescheduleSession>('rescheduleSession', {
        workflowId: sessionRescheduleWorkflowId(request.sessionId),
        taskQueue: this.taskQueue,
        args: [request],
        workflowIdConflictPolicy: 'FAIL',
        typedSearchAttributes: [{ key: SessionIdKey, value: String(request.sessionId) }],
      });
      return await handle.result();
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        throw new HttpError(409, 'CHANGE_IN_PROGRESS', 'Another change to this session is being applied; try again in a moment.');
      }
      throw error;
    }
  }
}
