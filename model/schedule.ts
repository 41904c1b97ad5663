import { raw } from '@mikro-orm/postgresql';
import { Booking, type BookingStatus, type CreditState } from './entities/booking.js';
import { ClientBalance } from './entities/client-balance.js';
import { PAID_PURCHASE_STATUSES, Purchase } from './entities/purchase.js';
import { TrainingSession, type SessionStatus } from './entities/training-session.js';
import { User } from './entities/user.js';
import { ENTRY_COLUMNS, type LedgerEntryRow } from './ledger.js';
import type { Orm } from './orm.js';
import { query } from './transaction.js';
import { waitlistGlanceSql } from './waitlist.js';

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
  status: SessionStatus;
  location: string | null;
  notes: string | null;
  seriesId: string | null;
}

/** "First Last", or whichever of the two the account has. */
export function fullName(user: Pick<User, 'firstName' | 'lastName'>): string {
  return `${user.firstName} ${user.lastName}`.replace(/^ +| +$/g, '');
}

/** A session as every screen shows it (its trainer loaded); the console's admin list shows the same. */
export function sessionView(session: TrainingSession): SessionView {
  return {
    id: session.id,
    trainerId: session.trainer.id,
    trainerName: fullName(session.trainer),
    startsAt: session.startsAt,
    endsAt: session.endsAt,
    durationMinutes: session.durationMinutes,
    capacity: session.capacity,
    bookedCount: session.bookedCount,
    seatsLeft: Math.max(session.capacity - session.bookedCount, 0),
    status: session.status,
    location: session.location ?? null,
    notes: session.notes ?? null,
    seriesId: session.seriesId ?? null,
  };
}

/** A timestamp as JavaScript's `toISOString` writes it (UTC, milliseconds, `Z`), which every answer uses. */
const isoTimestamp = (column: string) => `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

/**
 * The sessions of a time range as `GET /api/sessions` answers them: each as `sessionJson`
 * writes it, with its waitlist as `waitlistOf` shows it to this reader (`clientId`: a
 * client, who also sees their own position). Two weeks of a studio's schedule is hundreds
 * of sessions, so PostgreSQL writes the JSON text itself, waitlists joined in: parsing the
 * rows into objects, mapping them and stringifying them again cost most of the request's
 * CPU (README's Performance).
 *
 * `lateBookingMinutes`: a session that started less than this long ago is still bookable (the
 * late-booking policy).
 */
export async function sessionListJson(
  orm: Orm,
  filter: {
    from: Date;
    to: Date;
    trainerId?: number | undefined;
    bookableOnly: boolean;
    lateBookingMinutes: number;
    /** With bookableOnly: full sessions too, whose waitlist a client may join. */
    includeFull?: boolean | undefined;
    clientId?: number | undefined;
  },
): Promise<string> {
  const waitlist = filter.clientId === undefined ? 'g.waiting' : 'g.waiting, g.position';
  const [row] = await query<{ json: string }>(
    orm,
    `select '[' || coalesce(string_agg(row_to_json(v)::text, ',' order by s.starts_at, s.id), '') || ']' as json
       from training_sessions s join users t on t.id = s.trainer_id
       cross join lateral (${waitlistGlanceSql('s.id')}) g
       cross join lateral (
         select s.id, s.trainer_id as "trainerId", ${isoTimestamp('s.starts_at')} as "startsAt", ${isoTimestamp('s.ends_at')} as "endsAt",
                s.duration_minutes as "durationMinutes", s.capacity, s.booked_count as "bookedCount", s.status, s.location, s.notes,
                s.series_id as "seriesId", trim(t.first_name || ' ' || t.last_name) as "trainerName",
                greatest(s.capacity - s.booked_count, 0) as "seatsLeft", (select row_to_json(w) from (select ${waitlist}) w) as waitlist) v
      where s.starts_at >= ? and s.starts_at < ?
        and (?::int is null or s.trainer_id = ?)
        -- The database's clock and the seat count decide, as they do when the booking is made.
        and (not ? or (s.status in ('available', 'scheduled') and (? or s.booked_count < s.capacity)
                       and s.starts_at + make_interval(secs => ?) > now()))`,
    [
      filter.clientId ?? 0,
      filter.from,
      filter.to,
      filter.trainerId ?? null,
      filter.trainerId ?? null,
      filter.bookableOnly,
      filter.includeFull === true,
      filter.lateBookingMinutes * 60,
    ],
  );
  return row!.json;
}

/**
 * The sessions of a weekly series a change from `from` on applies to: not yet begun, and
 * neither cancelled nor taken place (the same rule the series workflows apply).
 */
export async function seriesSessionsFrom(orm: Orm, seriesId: string, from: Date): Promise<SessionView[]> {
  const sessions = await orm.em
    .fork()
    .createQueryBuilder(TrainingSession, 's')
    .joinAndSelect('s.trainer', 't')
    .where({ seriesId, startsAt: { $gte: from }, status: { $nin: ['cancelled', 'completed', 'no_show'] } })
    .andWhere('s.starts_at > now()')
    .orderBy([{ startsAt: 'asc' }, { id: 'asc' }])
    .getResultList();
  return sessions.map(sessionView);
}

export async function seriesExists(orm: Orm, seriesId: string): Promise<boolean> {
  return (await orm.em.fork().count(TrainingSession, { seriesId })) > 0;
}

/** Who holds each of these bookings, for an answer that names the clients. */
export async function bookingClients(orm: Orm, bookingIds: number[]): Promise<Map<number, { clientId: number; clientName: string }>> {
  if (bookingIds.length === 0) return new Map();
  const bookings = await orm.em.fork().find(Booking, { id: { $in: bookingIds } }, { populate: ['client'] });
  return new Map(bookings.map((booking) => [booking.id, { clientId: booking.client.id, clientName: fullName(booking.client) }]));
}

export async function findSessionView(orm: Orm, sessionId: number): Promise<SessionView | undefined> {
  const session = await orm.em.fork().findOne(TrainingSession, { id: sessionId }, { populate: ['trainer'] });
  return session ? sessionView(session) : undefined;
}

/**
 * Whether booking this session for this client would be refused as full: the booking's own
 * first check (activities/bookings.ts), read without a lock. A client already booked there
 * is left to its workflow, which answers that.
 */
export async function sessionFullFor(orm: Orm, sessionId: number, clientId: number): Promise<boolean> {
  const [row] = await query<{ full: boolean }>(
    orm,
    `select s.booked_count >= s.capacity and s.status in ('available', 'scheduled', 'confirmed')
        and not exists(select 1 from bookings b where b.session_id = s.id and b.client_id = ? and b.status in ('scheduled', 'confirmed')) as full
       from training_sessions s where s.id = ?`,
    [clientId, sessionId],
  );
  return row?.full === true;
}

export interface LiveBooking {
  id: number;
  clientId: number;
  workflowId: string;
}

export async function liveBookings(orm: Orm, sessionId: number, clientId?: number): Promise<LiveBooking[]> {
  const bookings = await orm.em.fork().find(
    Booking,
    {
      session: sessionId,
      status: { $in: ['scheduled', 'confirmed'] },
      ...(clientId === undefined ? {} : { client: clientId }),
    },
    { orderBy: { id: 'asc' } },
  );
  return bookings.map((booking) => ({ id: booking.id, clientId: booking.client.id, workflowId: booking.workflowId }));
}

/**
 * One client's ledger, newest first, by keyset (`beforeId`). A client's app reads it on
 * every visit, so it is one plain statement in the ledger's own column list: finding the
 * entries as entities cost about twice the request's CPU (README's Performance).
 */
export async function ledgerFor(
  orm: Orm,
  clientId: number,
  page: { limit: number; beforeId?: number | undefined },
): Promise<LedgerEntryRow[]> {
  return query<LedgerEntryRow & Record<string, unknown>>(
    orm,
    `select ${ENTRY_COLUMNS} from ledger_entries where client_id = ? and (?::bigint is null or id < ?) order by id desc limit ?`,
    [clientId, page.beforeId ?? null, page.beforeId ?? null, page.limit],
  );
}

export interface ClientBookingView {
  id: number;
  sessionId: number;
  status: BookingStatus;
  creditState: CreditState;
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
  const bookings = await orm.em.fork().find(
    Booking,
    { client: clientId },
    {
      populate: ['session.trainer'],
      orderBy: [{ startsAt: 'desc' }, { id: 'desc' }],
    },
  );
  return bookings.map((booking) => ({
    id: booking.id,
    sessionId: booking.session.id,
    status: booking.status,
    creditState: booking.creditState,
    complimentary: booking.complimentary,
    startsAt: booking.startsAt,
    endsAt: booking.endsAt,
    trainerId: booking.session.trainer.id,
    trainerName: fullName(booking.session.trainer),
    location: booking.session.location ?? null,
    bookedAt: booking.bookedAt,
    cancelledAt: booking.cancelledAt ?? null,
    workflowId: booking.workflowId,
  }));
}

/** One client as the seed's front end lists it (`GET /api/sessions/clients`), plus the low-balance flag. */
export interface ClientListRow {
  id: number;
  firstName: string;
  lastName: string;
  email: string;
  availableSessions: number;
  /** Sessions bought through paid purchases, less what refunds took back. */
  totalSessionsPurchased: number;
  /** Credits used: attended sessions, no-shows and forfeited late cancels. */
  sessionsUsed: number;
  /** The start of the latest session the client attended (or missed as a no-show). */
  lastSessionDate: Date | null;
  lowBalance: boolean;
}

/** Clients with their balance read from the same view as every other figure. */
export async function listClients(orm: Orm, lowBalanceThreshold: number): Promise<ClientListRow[]> {
  const em = orm.em.fork();
  // One aggregate row per client, so the list costs the same however long the studio's history.
  const [balances, purchases, attended] = await Promise.all([
    em.find(
      ClientBalance,
      {},
      {
        populate: ['client'],
        orderBy: [{ client: { lastName: 'asc' } }, { client: { firstName: 'asc' } }, { client: { id: 'asc' } }],
      },
    ),
    em
      .createQueryBuilder(Purchase, 'p')
      .select([raw('p.client_id as "clientId"'), raw('sum(p.sessions - p.refunded_sessions)::int as "purchased"')])
      .where({ status: { $in: [...PAID_PURCHASE_STATUSES] } })
      .groupBy('p.client')
      .execute<Array<{ clientId: number; purchased: number }>>('all', false),
    em
      .createQueryBuilder(Booking, 'b')
      .select([raw('b.client_id as "clientId"'), raw('max(b.starts_at) as "lastStart"')])
      .where({ status: { $in: ['completed', 'no_show'] } })
      .groupBy('b.client')
      .execute<Array<{ clientId: number; lastStart: string | Date }>>('all', false),
  ]);
  const purchased = new Map(purchases.map((row) => [row.clientId, row.purchased]));
  const lastAttended = new Map(attended.map((row) => [row.clientId, new Date(row.lastStart)]));
  return balances.map(({ client, available, consumed }) => ({
    id: client.id,
    firstName: client.firstName,
    lastName: client.lastName,
    email: client.email,
    availableSessions: available,
    totalSessionsPurchased: purchased.get(client.id) ?? 0,
    sessionsUsed: consumed,
    lastSessionDate: lastAttended.get(client.id) ?? null,
    lowBalance: available <= lowBalanceThreshold,
  }));
}

export interface TrainerListRow {
  id: number;
  firstName: string;
  lastName: string;
  email: string;
  phone: string | null;
}

export async function listTrainers(orm: Orm): Promise<TrainerListRow[]> {
  const trainers = await orm.em
    .fork()
    .find(User, { role: 'trainer' }, { orderBy: [{ lastName: 'asc' }, { firstName: 'asc' }, { id: 'asc' }] });
  return trainers.map((trainer) => ({
    id: trainer.id,
    firstName: trainer.firstName,
    lastName: trainer.lastName,
    email: trainer.email,
    phone: trainer.phone ?? null,
  }));
}

export async function isTrainer(orm: Orm, userId: number): Promise<boolean> {
  return (await orm.em.fork().count(User, { id: userId, role: 'trainer' })) > 0;
}
