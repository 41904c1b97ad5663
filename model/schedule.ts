import type { SESSION_STATUSES } from './entities/training-session.js';
import { ENTRY_COLUMNS, type LedgerEntryRow } from './ledger.js';
import type { Orm } from './orm.js';
import { query } from './transaction.js';

/** Read side of the schedule and of one client's history; writes go through workflows. */

export interface SessionView {
  id: number;
  trainerId: number;
  trainerName: string;
  startsAt: Date;
  endsAt: Date;
  durationMinutes: number;
  capacity: number;
  bookedCount: number;
  seatsLeft: number;
  status: (typeof SESSION_STATUSES)[number];
  location: string | null;
  notes: string | null;
  seriesId: string | null;
}

/** A session as every screen shows it; the console's admin list reads the same columns. */
export const SESSION_COLUMNS = `s.id, s.trainer_id as "trainerId", trim(t.first_name || ' ' || t.last_name) as "trainerName",
  s.starts_at as "startsAt", s.ends_at as "endsAt", s.duration_minutes as "durationMinutes", s.capacity,
  s.booked_count as "bookedCount", greatest(s.capacity - s.booked_count, 0) as "seatsLeft", s.status,
  s.location, s.notes, s.series_id as "seriesId"`;
export const SESSION_FROM = 'training_sessions s join users t on t.id = s.trainer_id';
const SESSION_VIEW = `${SESSION_COLUMNS} from ${SESSION_FROM}`;

/** `lateBookingMinutes`: a session that started less than this long ago is still bookable (the late-booking policy). */
export async function listSessions(orm: Orm, filter: { from: Date; to: Date; trainerId?: number | undefined; bookableOnly: boolean; lateBookingMinutes: number }): Promise<SessionView[]> {
  return query<SessionView & Record<string, unknown>>(orm,
    `select ${SESSION_VIEW}
      where s.starts_at >= ? and s.starts_at < ? and (?::int is null or s.trainer_id = ?::int)
        and (not ?::boolean or (s.status in ('available', 'scheduled') and s.booked_count < s.capacity
          and s.starts_at + make_interval(secs => ?) > now()))
      order by s.starts_at, s.id`,
    [filter.from, filter.to, filter.trainerId ?? null, filter.trainerId ?? null, filter.bookableOnly, filter.lateBookingMinutes * 60]);
}

export async function findSessionView(orm: Orm, sessionId: number): Promise<SessionView | undefined> {
  const [row] = await query<SessionView & Record<string, unknown>>(orm, `select ${SESSION_VIEW} where s.id = ?`, [sessionId]);
  return row;
}

export interface LiveBooking {
  id: number;
  clientId: number;
  workflowId: string;
}

export async function liveBookings(orm: Orm, sessionId: number, clientId?: number): Promise<LiveBooking[]> {
  return query<LiveBooking & Record<string, unknown>>(orm,
    `select id, client_id as "clientId", workflow_id as "workflowId" from bookings
      where session_id = ? and status in ('scheduled', 'confirmed') and (?::int is null or client_id = ?::int)
      order by id`,
    [sessionId, clientId ?? null, clientId ?? null]);
}

export async function ledgerFor(orm: Orm, clientId: number, page: { limit: number; beforeId?: number | undefined }): Promise<LedgerEntryRow[]> {
  return query<LedgerEntryRow & Record<string, unknown>>(orm,
    `select ${ENTRY_COLUMNS} from ledger_entries
      where client_id = ? and (?::bigint is null or id < ?::bigint) order by id desc limit ?`,
    [clientId, page.beforeId ?? null, page.beforeId ?? null, page.limit]);
}

export interface ClientBookingView {
  id: number;
  sessionId: number;
  status: string;
  creditState: string;
  complimentary: boolean;
  startsAt: Date;
  endsAt: Date;
  trainerId: number;
  trainerName: string;
  location: string | null;
  bookedAt: Date;
  cancelledAt: Date | null;
  workflowId: string;
}

export async function bookingsFor(orm: Orm, clientId: number): Promise<ClientBookingView[]> {
  return query<ClientBookingView & Record<string, unknown>>(orm,
    `select b.id, b.session_id as "sessionId", b.status, b.credit_state as "creditState", b.complimentary,
            b.starts_at as "startsAt", b.ends_at as "endsAt", s.trainer_id as "trainerId",
            trim(t.first_name || ' ' || t.last_name) as "trainerName", s.location, b.booked_at as "bookedAt",
            b.cancelled_at as "cancelledAt", b.workflow_id as "workflowId"
       from bookings b join training_sessions s on s.id = b.session_id join users t on t.id = s.trainer_id
      where b.client_id = ? order by b.starts_at desc, b.id desc`,
    [clientId]);
}

export interface ClientListRow {
  id: number;
  firstName: string;
  lastName: string;
  email: string;
  availableSessions: number;
  lowBalance: boolean;
}

/** Clients with their balance read from the same view as every other figure. */
export async function listClients(orm: Orm, lowBalanceThreshold: number): Promise<ClientListRow[]> {
  return query<ClientListRow & Record<string, unknown>>(orm,
    `select u.id, u.first_name as "firstName", u.last_name as "lastName", u.email, cb.available as "availableSessions",
            cb.available <= ? as "lowBalance"
       from users u join client_balances cb on cb.client_id = u.id
      order by u.last_name, u.first_name, u.id`,
    [lowBalanceThreshold]);
}
