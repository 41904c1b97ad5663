import { DomainError, ErrorCode } from './errors.js';
import type { Sql } from './transaction.js';

/** Booking rows and the session status that mirrors them, as steps inside a caller's transaction. */

export interface BookingRow {
  id: number;
  sessionId: number;
  clientId: number;
  status: string;
  creditState: string;
  lotId: number | null;
  complimentary: boolean;
  startsAt: Date;
  endsAt: Date;
  cancelWindowMinutes: number;
  lateCancelForfeits: boolean;
  bookedAt: Date;
  cancelledAt: Date | null;
  workflowId: string;
}

export const BOOKING_COLUMNS = `id, session_id as "sessionId", client_id as "clientId", status, credit_state as "creditState",
  lot_id as "lotId", complimentary, starts_at as "startsAt", ends_at as "endsAt",
  cancel_window_minutes as "cancelWindowMinutes", late_cancel_forfeits as "lateCancelForfeits",
  booked_at as "bookedAt", cancelled_at as "cancelledAt", workflow_id as "workflowId"`;

export interface SessionRow {
  id: number;
  trainerId: number;
  startsAt: Date;
  endsAt: Date;
  capacity: number;
  bookedCount: number;
  status: string;
}

/** Locks the session row first: the fixed lock order is session, then client, then lots. */
export async function lockSession(sql: Sql, sessionId: number): Promise<SessionRow> {
  const [session] = await sql<SessionRow & Record<string, unknown>>(
    `select id, trainer_id as "trainerId", starts_at as "startsAt", ends_at as "endsAt", capacity,
            booked_count as "bookedCount", status
       from training_sessions where id = ? for update`,
    [sessionId],
  );
  if (!session) throw new DomainError(ErrorCode.NotFound, `Session ${sessionId} was not found.`);
  return session;
}

export async function findBooking(sql: Sql, bookingId: number, lock = false): Promise<BookingRow | undefined> {
  const [row] = await sql<BookingRow & Record<string, unknown>>(
    `select ${BOOKING_COLUMNS} from bookings where id = ?${lock ? ' for update' : ''}`,
    [bookingId],
  );
  return row;
}

export async function requireBooking(sql: Sql, bookingId: number, lock = false): Promise<BookingRow> {
  const booking = await findBooking(sql, bookingId, lock);
  if (!booking) throw new DomainError(ErrorCode.NotFound, `Booking ${bookingId} was not found.`);
  return booking;
}

/**
 * The session's status mirrors its bookings: a one-to-one session shows its one booking's
 * state (the seed's screens read it); a group session is scheduled while anyone is booked.
 */
export async function mirrorSessionStatus(sql: Sql, sessionId: number): Promise<void> {
  await sql(
    `update training_sessions s set status = case
        when s.capacity = 1 then coalesce((
          select b.status from bookings b
           where b.session_id = s.id and b.status in ('scheduled', 'confirmed', 'completed', 'no_show')
           order by b.id desc limit 1), 'available')
        when s.booked_count > 0 then 'scheduled'
        else 'available' end
      where s.id = ? and s.status <> 'cancelled' and (s.capacity = 1 or s.status in ('available', 'scheduled'))`,
    [sessionId],
  );
}
