import type { Actor } from '../model/vocabulary.js';
import {
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  allHandlersFinished,
  condition,
  getExternalWorkflowHandle,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { ErrorCode } from '../model/error-codes.js';
import {
  bookUpdate,
  bookingStateQuery,
  cancelUpdate,
  completeSignal,
  confirmSignal,
  noShowSignal,
  rescheduledSignal,
  sessionCancelledSignal,
  waitlistChangedSignal,
  waitlistWorkflowId,
  type BookingInput,
  type BookingOutcome,
} from './definitions.js';

// The request path: local activities inside the update handler, so a booking costs one workflow task.
const requestPath = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '50 milliseconds', maximumInterval: '2 seconds', maximumAttempts: 20 },
});
// The booking's later life is not waited on by anyone: ordinary activities, retried until they succeed.
const lifecycle = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute' },
});

const SYSTEM: Actor = { id: 'system', role: 'system' };
/** Histories from before it replay as they ran: such a workflow simply ended. */
const ADOPT_LOST_RESERVATION = 'adopt-lost-reservation';
/** Histories from before it replay as they ran: a reminder was sent only while its moment was still ahead. */
const LATE_REMINDERS = 'late-reminders';
/**
 * Histories from before it replay as they ran: reserveSeat, then holdCredit, with releaseSeat
 * as compensation, each a local activity. Now one local activity, bookSeat, does all three,
 * so a booking costs one local-activity round trip from the workflow instead of two or three.
 */
const ONE_STEP_BOOKING = 'one-step-booking';
/** Histories from before it replay as they ran: no waitlist was told of the seat a booking gave back. */
const WAITLIST_SEAT_FREED = 'waitlist-seat-freed';

/** The business failure inside an activity failure, so the caller sees the rule that refused it. */
function businessFailure(error: unknown): unknown {
  if (error instanceof ActivityFailure && error.cause instanceof ApplicationFailure) return error.cause;
  return error;
}

const BUSINESS_CODES = new Set<string>(Object.values(ErrorCode));

/**
 * A business rule's refusal: nothing of it stayed committed. Known by its type being one of
 * ours, because a local activity's failure reaches the workflow as the ApplicationFailure
 * itself, without its nonRetryable flag.
 */
function refused(error: unknown): boolean {
  const failure = businessFailure(error);
  return failure instanceof ApplicationFailure && BUSINESS_CODES.has(failure.type ?? '');
}

/** A refused hold: bookSeat had taken a seat and gave it back before answering. */
function refusedHold(error: unknown): boolean {
  const failure = businessFailure(error);
  return failure instanceof ApplicationFailure && failure.type === ErrorCode.NoCredits;
}

function refusal(code: string, message: string): ApplicationFailure {
  return ApplicationFailure.create({ type: code, message, nonRetryable: true });
}

type Phase = 'awaiting' | 'booking' | 'live' | 'failed' | 'ended';
type Request = { kind: 'confirm' | 'completed' | 'no_show'; actor: Actor } | { kind: 'session_cancelled'; actor: Actor; reason: string };

/**
 * Book-to-deduct (docs/workflows.md): reserve a seat and hold one credit (earliest-expiring lot) in
 * one local activity that gives the seat back when the hold is refused, and answer the booking
 * request in the same workflow task (histories from before one-step-booking took three).
 * Then live until the booking ends: confirm, complete, no-show, cancel, a reminder before
 * the start and auto-completion after the end.
 */
export async function bookToDeduct(input: BookingInput): Promise<string> {
  const { workflowId } = workflowInfo();
  // Widened on purpose: handlers change it behind the control flow TypeScript can see.
  let phase = 'awaiting' as Phase;
  let outcome: BookingOutcome | undefined;
  let status = 'scheduled';
  let startsAt = 0;
  let endsAt = 0;
  let remindedFor: number | undefined;
  let timesChanged = false;
  let reservedBookingId: number | undefined;
  let compensateLater = false;
  let seatMayBeFree = false;
  const requests: Request[] = [];

  setHandler(bookingStateQuery, () => ({ phase, bookingId: outcome?.bookingId ?? null, status }));

  const bookRequest = {
    sessionId: input.sessionId,
    clientId: input.clientId,
    workflowId,
    actor: input.actor,
    complimentary: input.complimentary,
  };
  let lostAnswer = false;
  const booked = (seat: { bookingId: number; startsAt: string; endsAt: string; bookedAt: string }, availableAfter: number) => {
    startsAt = Date.parse(seat.startsAt);
    endsAt = Date.parse(seat.endsAt);
    outcome = {
      bookingId: seat.bookingId,
      sessionId: input.sessionId,
      clientId: input.clientId,
      status: 'scheduled',
      creditState: input.complimentary ? 'complimentary' : 'held',
      startsAt: seat.startsAt,
      bookedAt: seat.bookedAt,
      availableAfter,
    };
    phase = 'live';
    return outcome;
  };

  const reserve = async (): Promise<BookingOutcome> => {
    phase = 'booking';
    if (patched(ONE_STEP_BOOKING)) {
      try {
        const seat = await requestPath.bookSeat(bookRequest);
        return booked(seat, seat.availableAfter);
      } catch (error) {
        // A refusal gave its seat back inside the activity. Out of retries, one attempt may
        // still have committed with its answer lost; the workflow looks below.
        lostAnswer = !refused(error);
        // The waitlist looks whether the seat a refused hold gave back is free.
        seatMayBeFree = refusedHold(error);
        phase = 'failed';
        throw businessFailure(error);
      }
    }
    const undo: Array<() => Promise<void>> = [];
    try {
      const seat = await requestPath.reserveSeat(bookRequest);
      reservedBookingId = seat.bookingId;
      undo.push(() => requestPath.releaseSeat({ bookingId: seat.bookingId }));
      const availableAfter = input.complimentary
        ? seat.availableAfter!
        : (
            await requestPath.holdCredit({
              bookingId: seat.bookingId,
              clientId: input.clientId,
              sessionId: input.sessionId,
              actor: input.actor,
            })
          ).availableAfter;
      return booked(seat, availableAfter);
    } catch (error) {
      try {
        await CancellationScope.nonCancellable(async () => {
          for (const step of undo.reverse()) await step();
        });
      } catch {
        // The database is out of reach even after retries: answer now, and let the
        // workflow release the seat durably before it ends.
        compensateLater = true;
      }
      phase = 'failed';
      throw businessFailure(error);
    }
  };

  setHandler(bookUpdate, reserve, {
    validator: () => {
      if (phase === 'live') throw refusal(ErrorCode.AlreadyBooked, 'You are already booked into this session.');
      if (phase === 'booking') throw refusal(ErrorCode.AlreadyBooked, 'Your booking of this session is already being made.');
      if (phase !== 'awaiting')
        throw refusal(ErrorCode.BookingClosing, 'Your previous booking of this session is still closing; try again in a moment.');
    },
  });

  setHandler(
    cancelUpdate,
    async (request) => {
      try {
        const cancelled = await requestPath.cancelBooking({
          bookingId: outcome!.bookingId,
          actor: request.actor,
          reason: request.reason,
          waive: request.waive,
        });
        phase = 'ended';
        status = cancelled.status;
        return cancelled;
      } catch (error) {
        throw businessFailure(error);
      }
    },
    {
      validator: (request) => {
        if (phase !== 'live') throw refusal(ErrorCode.Conflict, 'This booking is not active, so it cannot be cancelled.');
        if (request.waive && request.actor.role !== 'admin')
          throw refusal(ErrorCode.InvalidRequest, 'Only an admin can waive a late-cancel forfeit.');
      },
    },
  );

  setHandler(confirmSignal, (actor) => void requests.push({ kind: 'confirm', actor }));
  setHandler(completeSignal, (actor) => void requests.push({ kind: 'completed', actor }));
  setHandler(noShowSignal, (actor) => void requests.push({ kind: 'no_show', actor }));
  setHandler(sessionCancelledSignal, ({ actor, reason }) => void requests.push({ kind: 'session_cancelled', actor, reason }));
  setHandler(rescheduledSignal, (times) => {
    startsAt = Date.parse(times.startsAt);
    endsAt = Date.parse(times.endsAt);
    timesChanged = true;
  });

  if (!(await condition(() => phase !== 'awaiting', input.awaitBookingMs ?? 60_000))) {
    // No booking request came: started by hand, say, or its request was lost with a Temporal
    // restart after its reservation committed, and nobody sent it again. Finish what
    // PostgreSQL holds for this workflow rather than leave a booking without a workflow.
    if (!patched(ADOPT_LOST_RESERVATION) || !(await requestPath.hasReservation({ workflowId }))) return 'no booking request';
    if (phase === 'awaiting') await reserve().catch(() => undefined);
  }
  /** A seat this booking held is free again: the session's waitlist (when one runs) offers it. */
  const seatFreed = async () => {
    if (!patched(WAITLIST_SEAT_FREED)) return;
    await getExternalWorkflowHandle(waitlistWorkflowId(input.sessionId))
      .signal(waitlistChangedSignal)
      .catch(() => undefined);
  };

  await condition(() => phase !== 'booking');
  if (phase === 'failed' && lostAnswer && (await lifecycle.hasReservation({ workflowId }))) {
    // Its caller was told the booking is still being processed: it is, and this finds it.
    const seat = await lifecycle.bookSeat(bookRequest);
    booked(seat, seat.availableAfter);
  }
  if (phase === 'failed') {
    if (compensateLater && reservedBookingId !== undefined) await lifecycle.releaseSeat({ bookingId: reservedBookingId });
    if (reservedBookingId !== undefined || seatMayBeFree) await seatFreed();
    return 'not booked';
  }

  const finish = async (outcomeStatus: 'completed' | 'no_show', actor: Actor, reason: string) => {
    try {
      status = (await lifecycle.finishBooking({ bookingId: outcome!.bookingId, outcome: outcomeStatus, actor, reason })).status;
      phase = 'ended';
    } catch (error) {
      // A cancel that won the race already ended the booking; the refusal is the record.
      log.warn('booking could not be finished', { bookingId: outcome!.bookingId, error: String(businessFailure(error)) });
      if (phase === 'live') throw error;
    }
  };

  /**
   * A reminder is owed when the booking already existed at its moment (one made later got its
   * confirmation instead), and is still sent after a worker outage or a reschedule that passed that
   * moment, as long as the session has not begun.
   */
  const reminderOwed = (reminderAt: number, now: number) =>
    patched(LATE_REMINDERS) ? reminderAt > Date.parse(outcome!.bookedAt) && now < startsAt : reminderAt > now;

  while (phase === 'live') {
    const now = Date.now();
    const reminderAt = startsAt - input.reminderBeforeMs;
    const reminderDue = remindedFor !== startsAt && reminderOwed(reminderAt, now);
    const deadline = reminderDue ? reminderAt : endsAt + input.autoCompleteAfterMs;
    timesChanged = false;
    const woken = await condition(() => requests.length > 0 || phase !== 'live' || timesChanged, Math.max(deadline - now, 1));
    if (phase !== 'live') break;
    if (!woken) {
      if (reminderDue) {
        await lifecycle.queueReminder({ bookingId: outcome!.bookingId });
        remindedFor = startsAt;
      } else {
        await finish('completed', SYSTEM, 'Completed automatically after the session ended');
      }
      continue;
    }
    const request = requests.shift();
    if (!request) continue;
    if (request.kind === 'confirm') {
      await lifecycle.confirmBooking({ bookingId: outcome!.bookingId });
      status = 'confirmed';
    } else if (request.kind === 'session_cancelled') {
      // The session-change workflow waits on this: a local activity, no task-queue hop.
      try {
        status = (
          await requestPath.cancelBooking({ bookingId: outcome!.bookingId, actor: request.actor, reason: request.reason, waive: true })
        ).status;
        phase = 'ended';
      } catch (error) {
        // Finished a moment before the session was cancelled; the session change reads what happened.
        log.warn('booking could not be cancelled with its session', {
          bookingId: outcome!.bookingId,
          error: String(businessFailure(error)),
        });
      }
    } else {
      await finish(request.kind, request.actor, request.kind === 'completed' ? 'Session completed' : 'Marked as a no-show');
    }
  }
  if (status === 'cancelled' || status === 'late_cancelled') await seatFreed();
  await condition(allHandlersFinished);
  return status;
}
