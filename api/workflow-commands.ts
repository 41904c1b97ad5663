import type { Actor } from '../model/vocabulary.js';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { FastifyBaseLogger } from 'fastify';
import {
  ApplicationFailure,
  ScheduleNotFoundError,
  WithStartWorkflowOperation,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  WorkflowUpdateFailedError,
  type Client,
  type Workflow,
  type WorkflowHandle,
  type WorkflowStartOptions,
} from '@temporalio/client';
import type { Settings } from '../config/settings.js';
import { currentRequestId } from '../logs/request-ids.js';
import { ErrorCode } from '../model/error-codes.js';
import { HttpError } from './errors.js';
import type { ApiMetrics } from './metrics.js';
import { RetryLater, firstSettled, isOutage, untilAnswered, type Budget } from './temporal-outage.js';
import type {
  allocation,
  bookToDeduct,
  cancelSeries,
  cancelSession,
  editSeries,
  lotExpiry,
  rescheduleSession,
  waitlistPromotion,
} from '../workflows/index.js';
import {
  ClientIdKey,
  PurchaseIdKey,
  SessionIdKey,
  allocationWorkflowId,
  bookUpdate,
  bookingStartOptions,
  bookingWorkflowId,
  cancelUpdate,
  completeSignal,
  confirmSignal,
  disputeSignal,
  extendLotUpdate,
  issueRefundUpdate,
  lotExpiryWorkflowId,
  noShowSignal,
  paymentSignal,
  purchaseWorkflowId,
  reconciliationScheduleId,
  refundSignal,
  seriesCancelWorkflowId,
  seriesEditWorkflowId,
  sessionCancelWorkflowId,
  sessionRescheduleWorkflowId,
  waitlistChangedSignal,
  waitlistWorkflowId,
  type AdminRefundOutcome,
  type AdminRefundRequest,
  type AllocationInput,
  type AllocationResult,
  type BookingOutcome,
  type CancelOutcome,
  type CancelRequest,
  type CheckoutEvent,
  type DisputeEvent,
  type ExtendLotOutcome,
  type ExtendLotRequest,
  type PurchaseInput,
  type RefundEvent,
  type SeriesCancelInput,
  type SeriesCancelOutcome,
  type SeriesEditInput,
  type SeriesEditOutcome,
  type SessionRescheduleInput,
} from '../workflows/definitions.js';
import type { ChangedSession } from '../activities/sessions.js';

/**
 * One call is re-sent after 5 s: under a rush the dev server has been seen to finish an
 * update in 50 ms and never answer the call that sent it.
 */
const ATTEMPT_MS = 5_000;
/** Stripe waits briefly for a webhook's answer and retries anything but a 2xx for days. */
const WEBHOOK_BUDGET_MS = 5_000;
/** A session's bookings get this long to cancel through their own workflows before the session change cancels them itself. */
const SESSION_BOOKINGS_WAIT_MS = 5_000;
/** How long a whole-session cancel is waited on before the answer says it is still going (the workflow finishes it). */
const SESSION_ANSWER_MS = 8_000;

const bookingPending = () =>
  new RetryLater(
    'BOOKING_PENDING',
    'The booking is still being processed; check your bookings in a moment, or send the same request again with the same Idempotency-Key.',
  );
const cancelPending = () =>
  new RetryLater(
    'BOOKING_PENDING',
    'The cancellation is still being processed; check your bookings in a moment, or send the same request again with the same Idempotency-Key.',
  );
const allocationPending = () =>
  new RetryLater(
    'ALLOCATION_PENDING',
    "The allocation is still being processed; check the client's ledger in a moment, or send the same request again with the same Idempotency-Key.",
  );
const refundPending = () =>
  new RetryLater(
    'REFUND_PENDING',
    'The refund is still being processed; check the purchase in a moment, or send the same request again with the same Idempotency-Key.',
  );
const extensionPending = () =>
  new RetryLater(
    'EXTENSION_PENDING',
    "The new expiry is still being applied; check the client's credit lots in a moment, or send the same request again with the same Idempotency-Key.",
  );
const waitlistPending = () =>
  new RetryLater(
    'WAITLIST_PENDING',
    'The waitlist place is saved but its workflow could not be reached in time; send the same request again in a moment.',
  );
const seriesChangePending = () =>
  new RetryLater(
    'SERIES_CHANGE_PENDING',
    'The change to the series is still being applied; check the schedule in a moment, or send the same request again with the same Idempotency-Key.',
  );
const temporalUnavailable = () =>
  new RetryLater(
    'TEMPORARILY_UNAVAILABLE',
    'The workflow service could not be reached in time; the change may not have been made. Please try again in a moment.',
  );

const CLOSING_RETRY_MS = 2_000;

/**
 * A booking refused a moment ago keeps its workflow (and so its id) for one more workflow
 * task while it finishes; a new request in that moment waits for it to close rather than
 * answer 409 for something the client cannot act on.
 */
async function whileClosing<T>(attempt: () => Promise<T>): Promise<T> {
  const end = Date.now() + CLOSING_RETRY_MS;
  for (let pauseMs = 20; ; pauseMs = Math.min(pauseMs * 2, 200)) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof WorkflowUpdateFailedError) || failureType(error) !== ErrorCode.BookingClosing || Date.now() > end) throw error;
    }
    await sleep(pauseMs);
  }
}

/** The update's own failure type, however deeply Temporal wrapped it. */
function failureType(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth += 1) {
    if (current instanceof ApplicationFailure) return current.type ?? undefined;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const PURCHASE_SIGNALS = { payment: paymentSignal, refund: refundSignal, dispute: disputeSignal } as const;

export type PurchaseEvent =
  | { signal: 'payment'; purchaseId: number; payload: CheckoutEvent }
  | { signal: 'refund'; purchaseId: number; payload: RefundEvent }
  | { signal: 'dispute'; purchaseId: number; payload: DisputeEvent };

/**
 * The API's only way into the workflows: each function starts or steers one workflow with
 * its deterministic id and a fixed update id, so duplicate requests, and the re-sends that
 * carry a request through a Temporal outage, collapse onto the same execution.
 */
export class WorkflowCommands {
  constructor(
    private readonly temporal: Client,
    private readonly settings: Settings,
    private readonly log: Pick<FastifyBaseLogger, 'info' | 'warn'>,
    private readonly metrics?: Pick<ApiMetrics, 'commandSeconds'>,
  ) {}

  /** Bounded, so a health page during an outage says "unreachable" instead of hanging on the SDK's retries. */
  async ping(): Promise<void> {
    await this.temporal.withDeadline(Date.now() + 2_000, () => this.temporal.connection.workflowService.getSystemInfo({}));
  }

  /**
   * Runs the reconciliation Schedule's check now (its overlap policy skips it if one is
   * running). Answers once Temporal has the request; the result is stored like any run.
   */
  async reconcileNow(): Promise<void> {
    const handle = this.temporal.schedule.getHandle(reconciliationScheduleId(this.taskQueue));
    try {
      await this.untilAnswered(
        'reconcile',
        this.commandBudget,
        { scheduleId: handle.scheduleId },
        () => handle.trigger(),
        temporalUnavailable,
      );
    } catch (error) {
      if (error instanceof ScheduleNotFoundError) {
        throw new HttpError(409, 'NOT_SCHEDULED', 'No worker has created the reconciliation schedule yet; start a worker, then try again.');
      }
      throw error;
    }
  }

  private get taskQueue() {
    return this.settings.temporal.taskQueue;
  }

  /**
   * A person waits on these: long enough to ride out a Temporal restart (the server back in
   * a few seconds, a lost workflow task retried after its 10 s timeout), short of a client's
   * own timeout (TEMPORAL_ANSWER_BUDGET_MS).
   */
  private get commandBudget(): Budget {
    const totalMs = this.settings.temporal.answerBudgetMs;
    return { totalMs, attemptMs: Math.min(ATTEMPT_MS, totalMs) };
  }

  /** Every command's way to Temporal: re-sent through outages within its budget, and timed for /metrics. */
  private async untilAnswered<T>(
    command: string,
    budget: Budget,
    what: Record<string, string>,
    attempt: () => Promise<T>,
    pending: () => RetryLater,
  ): Promise<T> {
    const started = performance.now();
    // Outside a request (the Stripe relay's sweep) there is none; the request's own lines carry the same reqId.
    const reqId = currentRequestId();
    let outcome = 'answered';
    try {
      return await untilAnswered(this.temporal, budget, attempt, (lastOutage) => {
        outcome = 'pending';
        this.log.warn({ reqId, command, ...what, err: lastOutage }, 'Temporal gave no answer within the request budget; answering 503');
        return pending();
      });
    } catch (error) {
      if (outcome !== 'pending') outcome = 'refused';
      throw error;
    } finally {
      const seconds = (performance.now() - started) / 1000;
      this.metrics?.commandSeconds.observe({ command, outcome }, seconds);
      this.log.info({ reqId, command, ...what, outcome, durationMs: Math.round(seconds * 1000) }, 'workflow command');
    }
  }

  /** Update-with-Start: the HTTP response carries the booking's outcome from the first workflow task. */
  async book(request: {
    sessionId: number;
    clientId: number;
    actor: Actor;
    complimentary: boolean;
    requestId?: string | undefined;
  }): Promise<BookingOutcome> {
    const { policies } = this.settings;
    const workflowId = bookingWorkflowId(request.sessionId, request.clientId);
    const updateId = `book-${request.requestId ?? randomUUID()}`;
    // A fresh start operation each attempt (the SDK uses one once). After a restart lost the
    // update, the same update id runs it again: the reservation it may already have
    // committed is found by its workflow id and its hold by its ledger key.
    return this.untilAnswered(
      'book',
      this.commandBudget,
      { workflowId, updateId },
      () =>
        whileClosing(() =>
          this.temporal.workflow.executeUpdateWithStart(bookUpdate, {
            updateId,
            startWorkflowOperation: new WithStartWorkflowOperation<typeof bookToDeduct>('bookToDeduct', {
              ...bookingStartOptions({
                sessionId: request.sessionId,
                clientId: request.clientId,
                actor: request.actor,
                complimentary: request.complimentary,
                reminderBeforeMs: Math.round(policies.reminderBeforeMinutes * 60_000),
                autoCompleteAfterMs: Math.round(policies.autoCompleteAfterMinutes * 60_000),
              }),
              taskQueue: this.taskQueue,
            }),
          }),
        ),
      bookingPending,
    );
  }

  async cancel(workflowId: string, request: CancelRequest, requestId?: string): Promise<CancelOutcome> {
    const updateId = `cancel-${requestId ?? randomUUID()}`;
    try {
      return await this.untilAnswered(
        'cancel',
        this.commandBudget,
        { workflowId, updateId },
        () => this.temporal.workflow.getHandle(workflowId).executeUpdate(cancelUpdate, { args: [request], updateId }),
        cancelPending,
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError)
        throw new HttpError(404, 'NO_BOOKING', 'There is no active booking to cancel for this session.');
      throw error;
    }
  }

  async signal(workflowId: string, kind: 'confirm' | 'complete' | 'no-show', actor: Actor): Promise<void> {
    const signal = kind === 'confirm' ? confirmSignal : kind === 'complete' ? completeSignal : noShowSignal;
    await this.untilAnswered(
      'signal',
      this.commandBudget,
      { workflowId, signal: kind },
      () => this.temporal.workflow.getHandle(workflowId).signal(signal, actor),
      temporalUnavailable,
    );
  }

  /**
   * One allocation per idempotency key: a repeat while it runs joins it, a repeat after it
   * finished (the reuse policy refuses a second run) reads the first one's result.
   */
  async allocate(
    input: Omit<AllocationInput, 'idempotencyKey'> & { idempotencyKey?: string | undefined },
  ): Promise<AllocationResult & { workflowId: string }> {
    const idempotencyKey = input.idempotencyKey ?? randomUUID();
    const workflowId = allocationWorkflowId(idempotencyKey);
    const attempt = async () => {
      try {
        const handle = await this.temporal.workflow.start<typeof allocation>('allocation', {
          workflowId,
          taskQueue: this.taskQueue,
          args: [{ ...input, idempotencyKey }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          workflowIdReusePolicy: 'REJECT_DUPLICATE',
          typedSearchAttributes: [{ key: ClientIdKey, value: String(input.clientId) }],
        });
        return await handle.result();
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        return this.temporal.workflow.getHandle<typeof allocation>(workflowId).result();
      }
    };
    return { ...(await this.untilAnswered('allocate', this.commandBudget, { workflowId }, attempt, allocationPending)), workflowId };
  }

  /**
   * Moves a lot's expiry in its own workflow, whose timer follows. Update-with-Start, so a
   * lot whose workflow is not running yet (granted before lots had one) gets it now; the
   * same request id is the same extension.
   */
  async extendLot(lotId: number, request: ExtendLotRequest, requestId?: string): Promise<ExtendLotOutcome> {
    const workflowId = lotExpiryWorkflowId(lotId);
    const updateId = `extend-${requestId ?? randomUUID()}`;
    return this.untilAnswered(
      'extendLot',
      this.commandBudget,
      { workflowId, updateId },
      () =>
        this.temporal.workflow.executeUpdateWithStart(extendLotUpdate, {
          updateId,
          args: [request],
          startWorkflowOperation: new WithStartWorkflowOperation<typeof lotExpiry>('lotExpiry', {
            workflowId,
            taskQueue: this.taskQueue,
            args: [{ lotId }],
            workflowIdConflictPolicy: 'USE_EXISTING',
          }),
        }),
      extensionPending,
    );
  }

  /** The same request id is the same refund: Temporal answers a repeated update id with the first result. */
  async refund(purchaseId: number, request: AdminRefundRequest, requestId?: string): Promise<AdminRefundOutcome> {
    const workflowId = purchaseWorkflowId(purchaseId);
    const updateId = `refund-${requestId ?? randomUUID()}`;
    try {
      return await this.untilAnswered(
        'refund',
        this.commandBudget,
        { workflowId, updateId },
        () => this.temporal.workflow.getHandle(workflowId).executeUpdate(issueRefundUpdate, { args: [request], updateId }),
        refundPending,
      );
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) {
        throw new HttpError(
          409,
          'REFUND_WINDOW_CLOSED',
          `The refund window of purchase #${purchaseId} has closed; refund it in Stripe's dashboard and allocate or adjust credits by hand.`,
        );
      }
      if (error instanceof WorkflowUpdateFailedError && failureType(error) === 'PAYMENT_PROVIDER_UNAVAILABLE') {
        throw new HttpError(502, 'PAYMENT_PROVIDER_UNAVAILABLE', 'Stripe could not be reached; nothing was refunded. Please try again.');
      }
      throw error;
    }
  }

  /**
   * A verified Stripe event, handed to its purchase's workflow with signal-with-start. It
   * returns only once Temporal recorded the signal; the workflow ignores an event id it has
   * seen, so a re-send is harmless.
   */
  async purchaseEvent(event: PurchaseEvent): Promise<void> {
    const workflowId = purchaseWorkflowId(event.purchaseId);
    const input: PurchaseInput = {
      purchaseId: event.purchaseId,
      refundWindowMs: Math.round(this.settings.store.refundWindowSeconds * 1000),
      paymentWaitMs: Math.round(this.settings.store.paymentWaitSeconds * 1000),
    };
    await this.untilAnswered(
      'purchase_event',
      { totalMs: WEBHOOK_BUDGET_MS, attemptMs: WEBHOOK_BUDGET_MS },
      { workflowId, eventId: event.payload.eventId },
      () =>
        this.temporal.workflow.signalWithStart('purchaseToCredit', {
          workflowId,
          taskQueue: this.taskQueue,
          args: [input],
          signal: PURCHASE_SIGNALS[event.signal],
          signalArgs: [event.payload],
          // A closed purchase workflow (past its refund window) is started again and resumes from the purchase row.
          workflowIdReusePolicy: 'ALLOW_DUPLICATE',
          typedSearchAttributes: [{ key: PurchaseIdKey, value: String(event.purchaseId) }],
        }),
      temporalUnavailable,
    );
  }

  /**
   * Cancels a whole session in its workflow (closing it, then each booking through its own
   * workflow); a repeat joins the first. Answers the bookings' outcomes, or undefined when
   * they take longer than the request may wait (the workflow finishes them regardless).
   */
  async cancelSession(request: {
    sessionId: number;
    actor: Actor;
    reason: string;
  }): Promise<{ workflowId: string; outcomes: CancelOutcome[] | undefined }> {
    const workflowId = sessionCancelWorkflowId(request.sessionId);
    const handle = await this.untilAnswered(
      'cancel_session',
      this.commandBudget,
      { workflowId },
      () =>
        this.temporal.workflow.start<typeof cancelSession>('cancelSession', {
          workflowId,
          taskQueue: this.taskQueue,
          args: [{ ...request, bookingsWaitMs: SESSION_BOOKINGS_WAIT_MS }],
          workflowIdConflictPolicy: 'USE_EXISTING',
          typedSearchAttributes: [{ key: SessionIdKey, value: String(request.sessionId) }],
        }),
      temporalUnavailable,
    );
    const result = handle.result().catch((error: unknown) => {
      if (isOutage(error)) return undefined;
      throw error;
    });
    return { workflowId, outcomes: await firstSettled(result, SESSION_ANSWER_MS, async () => undefined) };
  }

  /**
   * Wakes the session's waitlist workflow with signal-with-start (a first entry starts it),
   * which promotes waiting clients into free seats and expires them at the cutoff. Answers
   * once Temporal has recorded the signal; a repeat is one more look at the waitlist.
   */
  async waitlistChanged(sessionId: number): Promise<void> {
    const workflowId = waitlistWorkflowId(sessionId);
    await this.untilAnswered(
      'waitlist',
      this.commandBudget,
      { workflowId },
      () =>
        this.temporal.workflow.signalWithStart<typeof waitlistPromotion>('waitlistPromotion', {
          workflowId,
          taskQueue: this.taskQueue,
          args: [{ sessionId }],
          signal: waitlistChangedSignal,
          signalArgs: [],
          typedSearchAttributes: [{ key: SessionIdKey, value: String(sessionId) }],
        }),
      waitlistPending,
    );
  }

  /**
   * Moves, reassigns or resizes a session in its workflow, one at a time per session: while
   * another request's change runs this one is refused (409); a re-send of this same request
   * after an outage finds its own workflow by the request id in its memo and waits for it.
   */
  async rescheduleSession(request: SessionRescheduleInput, requestId: string = randomUUID()): Promise<ChangedSession> {
    const workflowId = sessionRescheduleWorkflowId(request.sessionId);
    const attempt = async () => {
      try {
        const handle = await this.temporal.workflow.start<typeof rescheduleSession>('rescheduleSession', {
          workflowId,
          taskQueue: this.taskQueue,
          args: [request],
          memo: { requestId },
          workflowIdConflictPolicy: 'FAIL',
          typedSearchAttributes: [{ key: SessionIdKey, value: String(request.sessionId) }],
        });
        return await handle.result();
      } catch (error) {
        if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
        const running = this.temporal.workflow.getHandle<typeof rescheduleSession>(workflowId);
        if ((await running.describe()).memo?.requestId !== requestId) {
          throw new HttpError(409, 'CHANGE_IN_PROGRESS', 'Another change to this session is being applied; try again in a moment.');
        }
        return running.result();
      }
    };
    return this.untilAnswered('reschedule_session', this.commandBudget, { workflowId, changeId: requestId }, attempt, temporalUnavailable);
  }

  /**
   * Edits a weekly series from a date on, in one workflow per request: a repeat with the
   * same key joins it while it runs and reads its result (or its refusal) after.
   */
  async editSeries(input: SeriesEditInput, requestId: string = randomUUID()): Promise<SeriesEditOutcome & { workflowId: string }> {
    const workflowId = seriesEditWorkflowId(input.seriesId, requestId);
    const attempt = async () => (await this.startOnce<typeof editSeries>('editSeries', workflowId, [input])).result();
    return { ...(await this.untilAnswered('edit_series', this.commandBudget, { workflowId }, attempt, seriesChangePending)), workflowId };
  }

  /**
   * Cancels a weekly series from a date on, each session through its own cancel workflow.
   * Answers the outcomes, or undefined when they take longer than the request may wait
   * (the workflow finishes them regardless).
   */
  async cancelSeries(
    input: Omit<SeriesCancelInput, 'bookingsWaitMs'>,
    requestId: string = randomUUID(),
  ): Promise<{ workflowId: string; outcome: SeriesCancelOutcome | undefined }> {
    const workflowId = seriesCancelWorkflowId(input.seriesId, requestId);
    const args: [SeriesCancelInput] = [{ ...input, bookingsWaitMs: SESSION_BOOKINGS_WAIT_MS }];
    const handle = await this.untilAnswered(
      'cancel_series',
      this.commandBudget,
      { workflowId },
      () => this.startOnce<typeof cancelSeries>('cancelSeries', workflowId, args),
      seriesChangePending,
    );
    const result = handle.result().catch((error: unknown) => {
      if (isOutage(error)) return undefined;
      throw error;
    });
    return { workflowId, outcome: await firstSettled(result, SESSION_ANSWER_MS, async () => undefined) };
  }

  /** Whether a series cancel under this Idempotency-Key was already started (running or finished). */
  async seriesCancelStarted(seriesId: string, requestId: string): Promise<boolean> {
    const workflowId = seriesCancelWorkflowId(seriesId, requestId);
    const attempt = async () => {
      try {
        await this.temporal.workflow.getHandle(workflowId).describe();
        return true;
      } catch (error) {
        if (error instanceof WorkflowNotFoundError) return false;
        throw error;
      }
    };
    return this.untilAnswered('describe', this.commandBudget, { workflowId }, attempt, temporalUnavailable);
  }

  /** Starts a workflow once per id: a repeat finds the running one, or the finished one whose result it reads. */
  private async startOnce<W extends Workflow>(workflowType: string, workflowId: string, args: Parameters<W>): Promise<WorkflowHandle<W>> {
    try {
      // Generic over the workflow, TypeScript cannot resolve the options' conditional args type; callers pass Parameters<W>.
      return await this.temporal.workflow.start<W>(workflowType, {
        workflowId,
        taskQueue: this.taskQueue,
        args,
        workflowIdConflictPolicy: 'USE_EXISTING',
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
      } as unknown as WorkflowStartOptions<W>);
    } catch (error) {
      if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
      return this.temporal.workflow.getHandle<W>(workflowId);
    }
  }
}
