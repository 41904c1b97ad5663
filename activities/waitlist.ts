import { Context } from '@temporalio/activity';
import { ApplicationFailure, WithStartWorkflowOperation } from '@temporalio/client';
import type { Settings } from '../config/settings.js';
import { ErrorCode } from '../model/errors.js';
import type { Orm } from '../model/orm.js';
import { inTransaction, query, type Sql } from '../model/transaction.js';
import {
  closeOffer,
  lockOffer,
  nextOnWaitlist,
  recordPromotion,
  skipForWantOfCredit,
  withdrawOffer,
  type WaitlistRules,
} from '../model/waitlist.js';
import type { BookingOutcome, bookingStartOptions } from '../workflows/definitions.js';
import type { bookToDeduct } from '../workflows/index.js';
import { businessRules } from './failures.js';

/** The next step of a session's waitlist, as the workflow receives it. */
export interface WaitlistNext {
  promote: { entryId: number; clientId: number; offerId: string } | null;
  waiting: number;
  closesAt: string | null;
  closed: number;
  /** The timer policies a booking made now is started with, as the booking route starts one. */
  booking: { reminderBeforeMs: number; autoCompleteAfterMs: number };
}

export interface PromotionRequest {
  entryId: number;
  /** The book-to-deduct start, as workflows/definitions.ts bookingStartOptions builds it for the booking route too. */
  start: ReturnType<typeof bookingStartOptions>;
  /** The book update's name and this offer's update id, so a retried promotion joins the first attempt. */
  updateName: string;
  updateId: string;
}

/** promoted: booked; skipped: no credit after all (told); left: booked directly or elsewhere; seat_taken: someone was quicker. */
export type PromotionOutcome = 'promoted' | 'skipped' | 'left' | 'seat_taken';

/** The business failure a booking update was refused with, however Temporal wrapped it. */
function refusalOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 6; depth += 1) {
    if (current instanceof ApplicationFailure && current.type) return current.type;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * The waitlist workflow's steps. The look at the waitlist is one transaction under the
 * session's lock; a promotion books through book-to-deduct exactly as the booking route does
 * (Update-with-Start on `booking-<session>-<client>`), so the credit is held only then, and
 * records what came of it.
 */
export function createWaitlistActivities({ orm, settings }: { orm: Orm; settings: Settings }) {
  const { policies } = settings;
  const rules: WaitlistRules = { cutoffMinutes: policies.waitlistCutoffMinutes, bookingHorizonDays: policies.bookingHorizonDays };
  const booking = {
    reminderBeforeMs: Math.round(policies.reminderBeforeMinutes * 60_000),
    autoCompleteAfterMs: Math.round(policies.autoCompleteAfterMinutes * 60_000),
  };

  return {
    async nextOnWaitlist(request: { sessionId: number }): Promise<WaitlistNext> {
      const step = await businessRules(() => inTransaction(orm, (sql) => nextOnWaitlist(sql, { sessionId: request.sessionId, rules })));
      return {
        promote: step.promote,
        waiting: step.waiting,
        closesAt: step.closesAt?.toISOString() ?? null,
        closed: step.skipped,
        booking,
      };
    },

    async promoteFromWaitlist(request: PromotionRequest): Promise<PromotionOutcome> {
      // A retry after the booking was made but before it was recorded finds that booking, and books nothing twice.
      const before = await inTransaction(orm, (sql) => lockOffer(sql, request.entryId));
      if (before.state === 'promoted') return 'promoted';
      if (before.state !== 'waiting') return 'left';
      const record = (work: (sql: Sql) => Promise<void>) => inTransaction(orm, work);
      if (before.bookingSinceOffer !== null) {
        await record((sql) => recordPromotion(sql, request.entryId, before.clientId, before.bookingSinceOffer!));
        return 'promoted';
      }
      let outcome: BookingOutcome;
      try {
        outcome = await Context.current().client.workflow.executeUpdateWithStart<typeof bookToDeduct, BookingOutcome, []>(
          request.updateName,
          {
            updateId: request.updateId,
            startWorkflowOperation: new WithStartWorkflowOperation<typeof bookToDeduct>('bookToDeduct', {
              ...request.start,
              taskQueue: Context.current().info.taskQueue,
            }),
          },
        );
      } catch (error) {
        const refusal = refusalOf(error);
        if (refusal === ErrorCode.NoCredits) {
          await record((sql) => skipForWantOfCredit(sql, request.entryId, before.clientId, before.sessionId));
          return 'skipped';
        }
        if (refusal === ErrorCode.SessionFull || refusal === ErrorCode.NotBookable) {
          await record((sql) => withdrawOffer(sql, request.entryId));
          return 'seat_taken';
        }
        if (refusal === ErrorCode.Overlap) {
          await record((sql) => closeOffer(sql, request.entryId, 'left', 'The client is booked into another session at that time.'));
          return 'left';
        }
        if (refusal === ErrorCode.AlreadyBooked || refusal === ErrorCode.NotFound || refusal === ErrorCode.InvalidRequest) {
          const [live] = await query<{ booked: boolean }>(
            orm,
            `select exists(select 1 from bookings where session_id = ? and client_id = ? and status in ('scheduled', 'confirmed')) as booked`,
            [before.sessionId, before.clientId],
          );
          // "Already being made": the client's own booking request is in flight; look again once it settles.
          if (refusal === ErrorCode.AlreadyBooked && !live!.booked) throw error;
          await record((sql) =>
            closeOffer(sql, request.entryId, 'left', live!.booked ? 'Booked the session directly.' : 'The client can no longer be booked.'),
          );
          return 'left';
        }
        // A previous booking of this session still closing, or Temporal out of reach: retried.
        throw error;
      }
      await record((sql) => recordPromotion(sql, request.entryId, before.clientId, outcome.bookingId));
      return 'promoted';
    },
  };
}
