import type { Settings } from '../config/settings.js';
import { lockSession, mirrorSessionStatus, requireBooking, type BookingRow } from '../model/bookings.js';
import { asDomainError, DomainError, ErrorCode } from '../model/errors.js';
import { appendEntry, findEntry, lockClient, returnToLot, takeFromEarliestLot } from '../model/ledger.js';
import { queueLowBalance, queueNotification } from '../model/notifications.js';
import type { Orm } from '../model/orm.js';

import { inTransaction, query, type Sql } from '../model/transaction.js';
import { actorLabel, type Actor } from '../model/vocabulary.js';
import { businessRules, currentTrace } from './failures.js';

export interface ReserveSeatRequest {
  sessionId: number;
  clientId: number;
  workflowId: string;
  actor: Actor;
  complimentary: boolean;
}

export interface ReservedSeat {
  bookingId: number;
  startsAt: string;
  endsAt: string;
  bookedAt: string;
  creditState: string;
  /** The client's available credits, known here only when no hold follows (complimentary, or a retry). */
  availableAfter: number | null;
}

export interface HoldRequest {
  bookingId: number;
  clientId: number;
  sessionId: number;
  actor: Actor;
}

export interface HeldCredit {
  lotId: number;
  availableAfter: number;
}

export interface CancelBookingRequest {
  bookingId: number;
  actor: Actor;
  reason?: string | undefined;
  waive?: boolean | undefined;
}

export interface CancelledBooking {
  bookingId: number;
  status: 'cancelled' | 'late_cancelled';
  credit: 'released' | 'forfeited' | 'expired' | 'complimentary';
  availableAfter: number;
}

export interface FinishBookingRequest {
  bookingId: number;
  outcome: 'completed' | 'no_show';
  actor: Actor;
  reason: string;
}

/** Read without the client lock, so credits past their lot's expiry but not yet written off are left out here. */
async function availableNow(sql: Sql, clientId: number): Promise<number> {
  const [row] = await sql<{ available: number }>(
    `select u.available_sessions - coalesce((select sum(remaining) from credit_lots
        where client_id = u.id and remaining > 0 and expires_at <= now()), 0)::int as available
       from users u where u.id = ?`,
    [clientId],
  );
  return row?.available ?? 0;
}

/**
 * The steps of booking, cancelling and finishing a session, each one transaction. The
 * book-to-deduct workflow runs them (as local activities on the request path) and
 * compensates: a seat reserved for a booking whose credit cannot be held is released.
 */
export function createBookingActivities({ orm, settings }: { orm: Orm; settings: Settings }) {
  const { policies } = settings;

  /** Reserves a seat, its credit pending; a retry of this very reservation finds its own row (`found`). */
  const reserveIn = async (sql: Sql, request: ReserveSeatRequest): Promise<{ seat: ReservedSeat; found: boolean }> => {
    // Every refusal is decided from an unlocked read first, so in a rush for one seat
    // everyone after the winner's commit is answered without queueing on the row lock.
    const [glance] = await sql<{ role: string | null; full: boolean; mine: boolean }>(
      `select (select role from users where id = ?) as role,
            s.booked_count >= s.capacity and s.status in ('available', 'scheduled', 'confirmed') as full,
            exists(select 1 from bookings b where b.session_id = s.id and b.client_id = ? and b.status in ('scheduled', 'confirmed')) as mine
       from training_sessions s where s.id = ?`,
      [request.clientId, request.clientId, request.sessionId],
    );
    if (!glance) throw new DomainError(ErrorCode.NotFound, `Session ${request.sessionId} was not found.`);
    if (!glance.role) throw new DomainError(ErrorCode.NotFound, `Client ${request.clientId} was not found.`);
    if (glance.role !== 'client') throw new DomainError(ErrorCode.InvalidRequest, 'Only clients can be booked into sessions.');
    if (glance.full && !glance.mine) throw new DomainError(ErrorCode.SessionFull, 'This session is full.');

    const [session] = await sql<{
      startsAt: Date;
      endsAt: Date;
      status: string;
      free: boolean;
      past: boolean;
      tooFar: boolean;
      existingId: number | null;
      existingWorkflowId: string | null;
      existingBookedAt: Date | null;
      existingCreditState: string | null;
    }>(
      `select s.starts_at as "startsAt", s.ends_at as "endsAt", s.status, s.booked_count < s.capacity as free,
            s.starts_at + make_interval(secs => ?) <= now() as past, s.starts_at > now() + make_interval(days => ?) as "tooFar",
            b.id as "existingId", b.workflow_id as "existingWorkflowId", b.booked_at as "existingBookedAt",
            b.credit_state as "existingCreditState"
       from training_sessions s
       left join bookings b on b.session_id = s.id and b.client_id = ? and b.status in ('scheduled', 'confirmed')
      where s.id = ? for update of s`,
      [policies.lateBookingMinutes * 60, policies.bookingHorizonDays, request.clientId, request.sessionId],
    );
    if (!session) throw new DomainError(ErrorCode.NotFound, `Session ${request.sessionId} was not found.`);
    if (session.existingId !== null) {
      // A retry of this very reservation (the worker crashed after commit) finds its own row;
      // a second booking request never reaches here, the workflow refuses it first.
      if (session.existingWorkflowId !== request.workflowId) {
        throw new DomainError(ErrorCode.AlreadyBooked, 'You are already booked into this session.');
      }
      return {
        found: true,
        seat: {
          bookingId: session.existingId,
          startsAt: session.startsAt.toISOString(),
          endsAt: session.endsAt.toISOString(),
          bookedAt: session.existingBookedAt!.toISOString(),
          creditState: session.existingCreditState!,
          availableAfter: await availableNow(sql, request.clientId),
        },
      };
    }
    if (session.status === 'cancelled') throw new DomainError(ErrorCode.NotBookable, 'This session has been cancelled.');
    if (['completed', 'no_show'].includes(session.status))
      throw new DomainError(ErrorCode.NotBookable, 'This session has already taken place.');
    if (session.past) {
      throw new DomainError(
        ErrorCode.NotBookable,
        policies.lateBookingMinutes > 0
          ? `Bookings close ${policies.lateBookingMinutes} minutes after a session starts; this one is past that.`
          : 'This session has already started; sessions in the past cannot be booked.',
      );
    }
    if (session.tooFar)
      throw new DomainError(ErrorCode.NotBookable, `Sessions can be booked at most ${policies.bookingHorizonDays} days ahead.`);
    if (!session.free) throw new DomainError(ErrorCode.SessionFull, 'This session is full.');

    // The booking and its seat in one statement: a new booking is always scheduled, and so is
    // the session that holds it (the capacity-1 mirror of docs/domain.md).
    const [booking] = await sql<{ id: number; bookedAt: Date; creditState: string }>(
      `with booking as (
         insert into bookings (session_id, client_id, status, credit_state, complimentary, starts_at, ends_at,
           cancel_window_minutes, late_cancel_forfeits, booked_by, workflow_id)
         values (?, ?, 'scheduled', ?, ?, ?, ?, ?, true, ?, ?)
         returning id, booked_at, credit_state),
       seat as (update training_sessions set booked_count = booked_count + 1, status = 'scheduled' where id = ? returning id)
       select booking.id, booking.booked_at as "bookedAt", booking.credit_state as "creditState" from booking, seat`,
      [
        request.sessionId,
        request.clientId,
        request.complimentary ? 'complimentary' : 'pending',
        request.complimentary,
        session.startsAt,
        session.endsAt,
        policies.cancelWindowMinutes,
        actorLabel(request.actor),
        request.workflowId,
        request.sessionId,
      ],
    );
    let availableAfter: number | null = null;
    if (request.complimentary) {
      availableAfter = (await lockClient(sql, request.clientId, currentTrace())).available;
      await appendEntry(sql, {
        clientId: request.clientId,
        kind: 'hold',
        delta: 0,
        heldDelta: 0,
        sessionId: request.sessionId,
        bookingId: booking!.id,
        actor: actorLabel(request.actor),
        reason: 'Complimentary booking: no credit held',
        idempotencyKey: `complimentary:booking:${booking!.id}`,
        trace: currentTrace(),
      });
      await queueBooked(sql, request.clientId, booking!.id);
    }
    return {
      found: false,
      seat: {
        bookingId: booking!.id,
        startsAt: session.startsAt.toISOString(),
        endsAt: session.endsAt.toISOString(),
        bookedAt: booking!.bookedAt.toISOString(),
        creditState: booking!.creditState,
        availableAfter,
      },
    };
  };

  /** Holds one credit (earliest-expiring lot) for a pending booking; `fresh`: this transaction inserted it, so no earlier hold can exist. */
  const holdIn = async (sql: Sql, request: HoldRequest, fresh = false): Promise<HeldCredit> => {
    const balance = await lockClient(sql, request.clientId, currentTrace());
    const key = `hold:booking:${request.bookingId}`;
    if (!fresh) {
      const earlier = await findEntry(sql, key);
      if (earlier) return { lotId: earlier.lotId!, availableAfter: earlier.balanceAfter };
      const booking = await requireBooking(sql, request.bookingId, true);
      if (booking.creditState !== 'pending')
        throw new DomainError(ErrorCode.Conflict, `Booking ${request.bookingId} no longer waits for a credit.`);
    }
    const lotId = await takeFromEarliestLot(sql, request.clientId);
    if (lotId === undefined) {
      throw new DomainError(ErrorCode.NoCredits, 'No available sessions. Please purchase a session package to book this session.', {
        availableSessions: balance.available,
      });
    }
    const entry = await appendEntry(sql, {
      clientId: request.clientId,
      kind: 'hold',
      delta: -1,
      heldDelta: 1,
      lotId,
      sessionId: request.sessionId,
      bookingId: request.bookingId,
      actor: actorLabel(request.actor),
      reason: 'Booked a session',
      idempotencyKey: key,
      trace: currentTrace(),
    });
    await sql(`update bookings set lot_id = ?, credit_state = 'held' where id = ?`, [lotId, request.bookingId]);
    await queueBooked(sql, request.clientId, request.bookingId);
    await queueLowBalance(sql, entry, policies.lowBalanceThreshold);
    return { lotId, availableAfter: entry.balanceAfter };
  };

  /** Gives back a seat whose booking never got its credit, leaving no booking behind. */
  const releaseIn = async (sql: Sql, bookingId: number): Promise<void> => {
    const [row] = await sql<{ sessionId: number }>(`select session_id as "sessionId" from bookings where id = ?`, [bookingId]);
    if (!row) return;
    await lockSession(sql, row.sessionId);
    const booking = await requireBooking(sql, bookingId, true);
    if (booking.creditState !== 'pending') {
      throw new DomainError(ErrorCode.Conflict, `Booking ${booking.id} holds a credit; cancel it instead of releasing its seat.`);
    }
    await sql(`delete from bookings where id = ?`, [booking.id]);
    await sql(`update training_sessions set booked_count = booked_count - 1 where id = ?`, [booking.sessionId]);
    await mirrorSessionStatus(sql, booking.sessionId);
  };

  return {
    async reserveSeat(request: ReserveSeatRequest): Promise<ReservedSeat> {
      return businessRules(() => inTransaction(orm, async (sql) => (await reserveIn(sql, request)).seat));
    },

    /**
     * Reserve, then hold, in one local activity (the workflow's one-step-booking patch): one
     * round trip from the workflow instead of two (three with a compensation), one wake of
     * the sender. Two transactions still, so the session's row lock is held only while the
     * seat is taken and never while the client's row is waited for (in one transaction a rush
     * for one session, or one client's bookings at once, queued on it). A refused hold gives
     * the seat back before answering; a retry after a crash finds its own reservation.
     */
    async bookSeat(request: ReserveSeatRequest): Promise<ReservedSeat & { availableAfter: number }> {
      const { seat, found } = await businessRules(() => inTransaction(orm, (sql) => reserveIn(sql, request)));
      if (seat.creditState !== 'pending') return { ...seat, availableAfter: seat.availableAfter! };
      const hold = { bookingId: seat.bookingId, clientId: request.clientId, sessionId: request.sessionId, actor: request.actor };
      try {
        // A seat this attempt reserved has no earlier hold to look for.
        const held = await inTransaction(orm, (sql) => holdIn(sql, hold, !found));
        return { ...seat, creditState: 'held', availableAfter: held.availableAfter };
      } catch (error) {
        if (asDomainError(error) instanceof DomainError) await inTransaction(orm, (sql) => releaseIn(sql, seat.bookingId));
        return businessRules(() => Promise.reject(error));
      }
    },

    /** Whether this workflow has a live booking in PostgreSQL: a reservation whose workflow task was lost. */
    async hasReservation(request: { workflowId: string }): Promise<boolean> {
      const [row] = await query<{ found: boolean }>(
        orm,
        `select exists(select 1 from bookings where workflow_id = ? and status in ('scheduled', 'confirmed')) as found`,
        [request.workflowId],
      );
      return row!.found;
    },

    async holdCredit(request: HoldRequest): Promise<HeldCredit> {
      return businessRules(() => inTransaction(orm, (sql) => holdIn(sql, request)));
    },

    /** Compensation: gives back a seat whose booking never got its credit. It leaves no booking behind. */
    async releaseSeat(request: { bookingId: number }): Promise<void> {
      return businessRules(() => inTransaction(orm, (sql) => releaseIn(sql, request.bookingId)));
    },

    async cancelBooking(request: CancelBookingRequest): Promise<CancelledBooking> {
      return businessRules(() =>
        inTransaction(orm, async (sql) => {
          const first = await requireBooking(sql, request.bookingId);
          await lockSession(sql, first.sessionId);
          if (!first.complimentary) await lockClient(sql, first.clientId, currentTrace());
          const booking = await requireBooking(sql, request.bookingId, true);
          if (booking.status === 'cancelled' || booking.status === 'late_cancelled') return describeCancel(sql, booking);
          if (booking.status !== 'scheduled' && booking.status !== 'confirmed') {
            throw new DomainError(
              ErrorCode.Conflict,
              `This booking is already ${booking.status.replace('_', ' ')} and cannot be cancelled.`,
            );
          }
          const [timing] = await sql<{ late: boolean }>(`select now() > ?::timestamptz - make_interval(mins => ?) as late`, [
            booking.startsAt,
            booking.cancelWindowMinutes,
          ]);
          const late = timing!.late;
          const forfeit = late && booking.lateCancelForfeits && !request.waive;
          const status = late ? 'late_cancelled' : 'cancelled';
          const actor = actorLabel(request.actor);
          const why = request.reason ? `: ${request.reason}` : '';
          let creditState = booking.creditState;
          if (booking.creditState === 'held') {
            const common = {
              clientId: booking.clientId,
              lotId: booking.lotId,
              sessionId: booking.sessionId,
              bookingId: booking.id,
              actor,
              idempotencyKey: `settle:booking:${booking.id}`,
              trace: currentTrace(),
            };
            if (forfeit) {
              await appendEntry(sql, {
                ...common,
                kind: 'consume',
                delta: 0,
                heldDelta: -1,
                reason: `Late cancel: credit forfeited${why}`,
              });
              creditState = 'forfeited';
            } else {
              const lot = await returnToLot(sql, booking.lotId!);
              await appendEntry(
                sql,
                lot.returned
                  ? {
                      ...common,
                      kind: 'release',
                      delta: 1,
                      heldDelta: -1,
                      reason: `${late ? 'Late cancel waived' : 'Cancelled in time'}: credit returned${why}`,
                    }
                  : {
                      ...common,
                      kind: 'expire',
                      delta: 0,
                      heldDelta: -1,
                      reason: `Cancelled, but the credit's lot expired at ${lot.expiresAt?.toISOString()}: credit expired${why}`,
                    },
              );
              creditState = 'released';
            }
          }
          await sql(`update bookings set status = ?, credit_state = ?, cancelled_at = now(), cancel_reason = ? where id = ?`, [
            status,
            creditState,
            request.reason ?? null,
            booking.id,
          ]);
          await sql(`update training_sessions set booked_count = booked_count - 1 where id = ?`, [booking.sessionId]);
          await mirrorSessionStatus(sql, booking.sessionId);
          const cancelled = await describeCancel(sql, { ...booking, status, creditState });
          await queueNotification(sql, {
            userId: booking.clientId,
            kind: 'booking.cancelled',
            payload: { bookingId: booking.id, status, credit: cancelled.credit },
            idempotencyKey: `booking:${booking.id}:cancelled`,
          });
          return cancelled;
        }),
      );
    },

    async confirmBooking(request: { bookingId: number }): Promise<void> {
      return businessRules(() =>
        inTransaction(orm, async (sql) => {
          const first = await requireBooking(sql, request.bookingId);
          await lockSession(sql, first.sessionId);
          const booking = await requireBooking(sql, request.bookingId, true);
          if (booking.status !== 'scheduled') return;
          await sql(`update bookings set status = 'confirmed' where id = ?`, [booking.id]);
          await mirrorSessionStatus(sql, booking.sessionId);
        }),
      );
    },

    /** Completion and no-show both consume the held credit (docs/domain.md); complimentary bookings hold none. */
    async finishBooking(request: FinishBookingRequest): Promise<{ status: string }> {
      return businessRules(() =>
        inTransaction(orm, async (sql) => {
          const first = await requireBooking(sql, request.bookingId);
          await lockSession(sql, first.sessionId);
          if (!first.complimentary) await lockClient(sql, first.clientId, currentTrace());
          const booking = await requireBooking(sql, request.bookingId, true);
          if (booking.status === 'completed' || booking.status === 'no_show') return { status: booking.status };
          if (booking.status !== 'scheduled' && booking.status !== 'confirmed') {
            throw new DomainError(
              ErrorCode.Conflict,
              `This booking was ${booking.status.replace('_', ' ')}; it cannot be marked ${request.outcome.replace('_', ' ')}.`,
            );
          }
          if (booking.creditState === 'held') {
            await appendEntry(sql, {
              clientId: booking.clientId,
              kind: 'consume',
              delta: 0,
              heldDelta: -1,
              lotId: booking.lotId,
              sessionId: booking.sessionId,
              bookingId: booking.id,
              actor: actorLabel(request.actor),
              reason: request.reason,
              idempotencyKey: `settle:booking:${booking.id}`,
              trace: currentTrace(),
            });
          }
          await sql(
            `update bookings set status = ?, credit_state = case when credit_state = 'held' then 'consumed' else credit_state end where id = ?`,
            [request.outcome, booking.id],
          );
          await mirrorSessionStatus(sql, booking.sessionId);
          return { status: request.outcome };
        }),
      );
    },

    /** Writes the reminder to the outbox; the outbox's drainer sends it. */
    async queueReminder(request: { bookingId: number }): Promise<void> {
      await inTransaction(orm, async (sql) => {
        const booking = await requireBooking(sql, request.bookingId);
        if (booking.status !== 'scheduled' && booking.status !== 'confirmed') return;
        // Keyed by the start too: a session moved after its reminder went out gets a new one.
        await queueNotification(sql, {
          userId: booking.clientId,
          kind: 'booking.reminder',
          payload: { bookingId: booking.id, sessionId: booking.sessionId, startsAt: booking.startsAt },
          idempotencyKey: `reminder:booking:${booking.id}:${booking.startsAt.toISOString()}`,
        });
      });
    },
  };
}

/** The client's confirmation of a booking made, in the transaction that made it. */
function queueBooked(sql: Sql, clientId: number, bookingId: number): Promise<boolean> {
  return queueNotification(sql, {
    userId: clientId,
    kind: 'booking.booked',
    payload: { bookingId },
    idempotencyKey: `booking:${bookingId}:booked`,
  });
}

async function describeCancel(sql: Sql, booking: BookingRow): Promise<CancelledBooking> {
  const [settle] = await sql<{ kind: string }>(`select kind from ledger_entries where idempotency_key = ?`, [
    `settle:booking:${booking.id}`,
  ]);
  const credit = booking.complimentary
    ? 'complimentary'
    : booking.creditState === 'forfeited'
      ? 'forfeited'
      : settle?.kind === 'expire'
        ? 'expired'
        : 'released';
  return {
    bookingId: booking.id,
    status: booking.status as CancelledBooking['status'],
    credit,
    availableAfter: await availableNow(sql, booking.clientId),
  };
}
