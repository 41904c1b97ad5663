import { getExternalWorkflowHandle, patched, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ChangedSession } from '../activities/sessions.js';
import {
  rescheduledSignal,
  sessionCancelledSignal,
  waitlistChangedSignal,
  waitlistWorkflowId,
  type CancelOutcome,
  type SessionCancelInput,
  type SessionRescheduleInput,
} from './definitions.js';

// Short transactions an admin's request waits on: local activities, retried through a database blip.
const database = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 20 },
});

const POLL_MS = 100;
/** Histories from before it replay as they ran: a reschedule told no waitlist of its new seats or time. */
const WAITLIST_FOLLOWS = 'waitlist-follows-reschedule';
/** Histories from before it replay as they ran: a cancel left the session's waitlist workflow waiting for its cutoff. */
const WAITLIST_ENDS_WITH_CANCEL = 'waitlist-ends-with-cancel';

/**
 * The studio cancels a whole session: closed to new bookings and its waitlist ended first,
 * then every booking's own workflow is told to cancel (releasing the credit, however late), so each booking
 * keeps one writer. A booking whose workflow cannot be reached in time is cancelled here
 * directly (the same idempotent step), and the answer lists what each client got back.
 * A crash anywhere resumes from the history: nothing is cancelled twice.
 */
export async function cancelSession(input: SessionCancelInput): Promise<CancelOutcome[]> {
  const bookings = await database.closeSession({ sessionId: input.sessionId });
  const request = { actor: input.actor, reason: input.reason };
  // All signals in one workflow task; a booking whose workflow is gone falls to the direct cancel below.
  const signals = bookings.map((booking) =>
    getExternalWorkflowHandle(booking.workflowId)
      .signal(sessionCancelledSignal, request)
      .catch(() => undefined),
  );
  // closeSession ended the waitlist's entries; its workflow looks once more (an offer it was making) and finishes.
  if (patched(WAITLIST_ENDS_WITH_CANCEL)) {
    signals.push(
      getExternalWorkflowHandle(waitlistWorkflowId(input.sessionId))
        .signal(waitlistChangedSignal)
        .catch(() => undefined),
    );
  }
  await Promise.all(signals);
  let live = bookings.map((booking) => booking.bookingId);
  for (let waited = 0; live.length > 0 && waited < input.bookingsWaitMs; waited += POLL_MS) {
    await sleep(POLL_MS);
    live = await database.stillLive({ bookingIds: live });
  }
  const outcomes: CancelOutcome[] = [];
  for (const booking of bookings) {
    outcomes.push(await database.cancelBooking({ bookingId: booking.bookingId, actor: input.actor, reason: input.reason, waive: true }));
  }
  return outcomes;
}

/**
 * The studio moves, reassigns or resizes a session: the change is committed, then every
 * live booking's workflow hears the new time so its reminder and auto-complete follow. One
 * reschedule per session runs at a time (its workflow id), so bookings hear moves in order.
 */
export async function rescheduleSession(input: SessionRescheduleInput): Promise<ChangedSession> {
  const changed = await database.changeSession({ sessionId: input.sessionId, changes: input.changes });
  if (changed.moved) {
    const times = { startsAt: changed.startsAt, endsAt: changed.endsAt };
    await Promise.all(
      changed.bookings.map((booking) =>
        getExternalWorkflowHandle(booking.workflowId)
          .signal(rescheduledSignal, times)
          .catch(() => undefined),
      ),
    );
  }
  // A larger capacity frees seats for the waitlist, and a new start moves its cutoff.
  if (patched(WAITLIST_FOLLOWS)) {
    await getExternalWorkflowHandle(waitlistWorkflowId(input.sessionId))
      .signal(waitlistChangedSignal)
      .catch(() => undefined);
  }
  return changed;
}
