import {
  condition,
  continueAsNew,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import {
  SessionIdKey,
  WAITLIST_ACTOR,
  bookUpdate,
  bookingStartOptions,
  waitlistChangedSignal,
  waitlistUpdateId,
  type WaitlistInput,
  type WaitlistResult,
} from './definitions.js';

// One short transaction under the session's lock. No attempt limit: an outage delays a promotion, it must never drop one.
const database = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});
// Books through book-to-deduct (a Temporal call of its own); retried until it has an answer to record.
const promotion = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '500 milliseconds', backoffCoefficient: 2, maximumInterval: '10 seconds' },
});

/** The database's clock may trail the worker's by a moment at the cutoff: look again after this. */
const CLOCK_SKEW_RETRY_MS = 1_000;

/**
 * One session's waitlist (docs/workflows.md), id `waitlist-<sessionId>`: the one writer of its
 * promotions, so two seats freed at once are offered one after the other and no client is
 * offered twice. Each look at the waitlist either offers the next free seat to the first
 * client with a credit (skipping, and telling, those without), or waits for the next change
 * (`waitlistChanged`: a join, a cancel, a seat given back, a resize, a move) or the cutoff,
 * when every entry still waiting expires. It ends when nobody waits any more.
 */
export async function waitlistPromotion(input: WaitlistInput): Promise<WaitlistResult> {
  let changed = false;
  let promoted = input.promoted ?? 0;
  let closed = input.closed ?? 0;
  setHandler(waitlistChangedSignal, () => {
    changed = true;
  });
  upsertSearchAttributes([{ key: SessionIdKey, value: String(input.sessionId) }]);

  for (;;) {
    changed = false;
    const next = await database.nextOnWaitlist({ sessionId: input.sessionId });
    closed += next.closed;
    if (next.promote) {
      const { entryId, clientId, offerId } = next.promote;
      const outcome = await promotion.promoteFromWaitlist({
        entryId,
        start: bookingStartOptions({
          sessionId: input.sessionId,
          clientId,
          actor: WAITLIST_ACTOR,
          complimentary: false,
          ...next.booking,
        }),
        updateName: bookUpdate.name,
        updateId: waitlistUpdateId(entryId, offerId),
      });
      if (outcome === 'promoted') promoted += 1;
      else if (outcome !== 'seat_taken') closed += 1;
      continue;
    }
    // A change that arrived during the look is looked at again before the workflow rests or ends.
    if (changed) continue;
    if (next.waiting === 0 || next.closesAt === null) return { sessionId: input.sessionId, promoted, closed };
    if (workflowInfo().continueAsNewSuggested) {
      await continueAsNew<typeof waitlistPromotion>({ sessionId: input.sessionId, promoted, closed });
    }
    await condition(() => changed, Math.max(Date.parse(next.closesAt) - Date.now(), CLOCK_SKEW_RETRY_MS));
  }
}
