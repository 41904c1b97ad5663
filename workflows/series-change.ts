import { executeChild, getExternalWorkflowHandle, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  SessionIdKey,
  rescheduledSignal,
  type SeriesCancelInput,
  type SeriesCancelOutcome,
  type SeriesEditInput,
  type SeriesEditOutcome,
} from './definitions.js';
import { cancelSession } from './session-change.js';

// Short transactions an admin's request waits on: local activities, retried through a database blip.
const database = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumInterval: '5 seconds', maximumAttempts: 20 },
});

/**
 * The studio edits a weekly series from a date on: every session's new time, trainer or
 * capacity is committed in one transaction (one clash refuses it all, as creating a series
 * does), then each moved session's bookings hear the new time through their own workflows
 * so their reminders and auto-complete follow.
 */
export async function editSeries(input: SeriesEditInput): Promise<SeriesEditOutcome> {
  const sessions = await database.changeSeries({
    seriesId: input.seriesId,
    from: input.from,
    changes: input.changes,
    sessionIds: input.sessionIds,
  });
  await Promise.all(
    sessions
      .filter((session) => session.moved)
      .flatMap((session) =>
        session.bookings.map((booking) =>
          getExternalWorkflowHandle(booking.workflowId)
            .signal(rescheduledSignal, { startsAt: session.startsAt, endsAt: session.endsAt })
            .catch(() => undefined),
        ),
      ),
  );
  return { sessions };
}

/**
 * The studio cancels a weekly series from a date on: each session is cancelled by the same
 * workflow that cancels one session (a child per session), so every booking is cancelled by
 * its own workflow and its credit released, and a crash resumes each where it stopped.
 */
export async function cancelSeries(input: SeriesCancelInput): Promise<SeriesCancelOutcome> {
  const sessionIds = await database.seriesSessions({ seriesId: input.seriesId, from: input.from });
  const { workflowId } = workflowInfo();
  const outcomes = await Promise.all(
    sessionIds.map((sessionId) =>
      executeChild(cancelSession, {
        workflowId: `${workflowId}-session-${sessionId}`,
        args: [{ sessionId, actor: input.actor, reason: input.reason, bookingsWaitMs: input.bookingsWaitMs }],
        typedSearchAttributes: [{ key: SessionIdKey, value: String(sessionId) }],
      }),
    ),
  );
  return { sessions: sessionIds.map((sessionId, index) => ({ sessionId, bookings: outcomes[index]! })) };
}
