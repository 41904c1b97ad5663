import { raw } from '@mikro-orm/postgresql';
import { checkedRead, type AccountCheck } from './account-check.js';
import { Booking, type BookingStatus, type CreditState } from './entities/booking.js';
import { ClientBalance } from './entities/client-balance.js';
import { PAID_PURCHASE_STATUSES, Purchase } from './entities/purchase.js';
import { TrainingSession, type SessionStatus } from './entities/training-session.js';
import { User } from './entities/user.js';
import { ENTRY_COLUMNS, type LedgerEntryRow } from './ledger.js';
import type { Orm } from './orm.js';
import { PREPARED, query } from './transaction.js';
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

export interface SessionListFilter {
  from: Date;
  to: Date;
  trainerId?: number | undefined;
  bookableOnly: boolean;
  /** A session that started less than this long ago is still bookable (the late-booking policy). */
  lateBookingMinutes: number;
  /** With bookableOnly: full sessions too, whose waitlist a client may join. */
  includeFull?: boolean | undefined;
  /** A client reading: each waitlist then also says where they stand on it. */
  clientId?: number | undefined;
}

/**
 * The sessions a list shows and the version of every row its answer is written from:
 * each session's row version (`xmin`, the transaction that wrote it), its trainer's and
 * each waiting entry of their waitlists. Any committed change to what the list shows
 * changes it; computed in the same statement as an answer, it names that answer.
 *
 * Per table, the count of rows and the exact sum of a 64-bit hash of each (id, xmin): a
 * change the sums miss needs two different row sets whose hashes add up alike, about one
 * chance in 2^64. Order-free, so nothing is sorted, and the trainers are hashed once each
 * rather than joined to every session. Against an md5 of every row's text in order, the
 * statement took 0.40 against 0.61–0.95 ms a call, round trip included (two weeks, 237 sessions).
 */
const rowsHash = (rows: string, seed: number) =>
  `(select count(*) || ':' || coalesce(sum(hashint8extended(r.id::bigint << 32 | r.xmin::text::bigint, ${seed})), 0) from ${rows})`;

function sessionListRowsSql(filter: SessionListFilter): { sql: string; params: unknown[] } {
  return {
    sql: `with m as (
            select s.id, s.xmin, s.trainer_id
              from training_sessions s
             where s.starts_at >= ?::timestamptz and s.starts_at < ?::timestamptz
               and (?::int is null or s.trainer_id = ?::int)
               -- The database's clock and the seat count decide, as they do when the booking is made.
               and (not ?::boolean or (s.status in ('available', 'scheduled') and (?::boolean or s.booked_count < s.capacity)
                                       and s.starts_at + make_interval(secs => ?::int) > now()))),
          w as (select w.id, w.xmin, w.client_id from waitlist_entries w
                 where w.session_id in (select id from m) and w.state = 'waiting')
          select ${rowsHash('m r', 1)} || '/' || ${rowsHash('users r where r.id in (select trainer_id from m)', 2)} || '/' ||
                 ${rowsHash('w r', 3)} as version,
                 exists (select 1 from w where w.client_id = ?::int) as waiting`,
    params: [
      filter.from,
      filter.to,
      filter.trainerId ?? null,
      filter.trainerId ?? null,
      filter.bookableOnly,
      filter.includeFull === true,
      filter.lateBookingMinutes * 60,
      filter.clientId ?? 0,
    ],
  };
}

/**
 * The sessions of a time range as `GET /api/sessions` answers them, with the version of
 * the rows it was written from: each session as `sessionJson` writes it, with its waitlist
 * as `waitlistOf` shows it to this reader. Two weeks of a studio's schedule is hundreds of
 * sessions, so PostgreSQL writes the JSON text itself, waitlists joined in: parsing the
 * rows into objects, mapping them and stringifying them again cost most of the request's
 * CPU (README's Performance).
 */
async function sessionListAnswer(orm: Orm, filter: SessionListFilter): Promise<{ version: string; waiting: boolean; json: string }> {
  const rows = sessionListRowsSql(filter);
  const waitlist = filter.clientId === undefined ? 'g.waiting' : 'g.waiting, g.position';
  const [row] = await query<{ version: string; waiting: boolean; json: string }>(
    orm,
    `${rows.sql},
            (select '[' || coalesce(string_agg(row_to_json(v)::text, ',' order by s.starts_at, s.id), '') || ']'
               from training_sessions s join users t on t.id = s.trainer_id
               cross join lateral (${waitlistGlanceSql('s.id')}) g
               cross join lateral (
                 select s.id, s.trainer_id as "trainerId", ${isoTimestamp('s.starts_at')} as "startsAt", ${isoTimestamp('s.ends_at')} as "endsAt",
                        s.duration_minutes as "durationMinutes", s.capacity, s.booked_count as "bookedCount", s.status, s.location, s.notes,
                        s.series_id as "seriesId", trim(t.first_name || ' ' || t.last_name) as "trainerName",
                        greatest(s.capacity - s.booked_count, 0) as "seatsLeft", (select row_to_json(w) from (select ${waitlist}) w) as waitlist) v
              where s.id in (select id from m)) as json`,
    [...rows.params, filter.clientId ?? 0],
    PREPARED,
  );
  return row!;
}

/** The JSON text of `GET /api/sessions`, straight from the database. */
export async function sessionListJson(orm: Orm, filter: SessionListFilter): Promise<string> {
  return (await sessionListAnswer(orm, filter)).json;
}

/** Room for a few weeks' lists of every reader kind, in characters; a 100-day list of a busy studio is under a million. */
const SESSION_LIST_CACHE_CHARS = 16 * 1024 * 1024;

/**
 * `GET /api/sessions` answered from memory while none of the rows it was written from has
 * changed. Every request still asks PostgreSQL, in one prepared statement, for the version
 * of the rows its filter selects now: a booking committed a moment ago, by any API process
 * or worker, shows at once. That statement costs a tenth of writing the list's JSON.
 * Clients on none of the listed waitlists all read the same text; one who waits reads their own.
 */
export class SessionListCache {
  private readonly answers = new Map<string, string>();
  private chars = 0;
  /** Answers read from memory and answers PostgreSQL wrote, since this cache began. */
  readonly counts = { fromMemory: 0, written: 0 };

  constructor(
    private readonly orm: Orm,
    private readonly capacityChars = SESSION_LIST_CACHE_CHARS,
  ) {}

  async json(filter: SessionListFilter, check?: AccountCheck): Promise<string> {
    const rows = sessionListRowsSql(filter);
    const [now] = await checkedRead<{ version: string; waiting: boolean }>(this.orm, check, rows.sql, rows.params);
    const key = keyOf(filter, now!);
    const cached = this.answers.get(key);
    if (cached !== undefined) {
      // Map order is the eviction order: the entry read last goes last.
      this.answers.delete(key);
      this.answers.set(key, cached);
      this.counts.fromMemory += 1;
      return cached;
    }
    const answer = await sessionListAnswer(this.orm, filter);
    this.counts.written += 1;
    this.remember(keyOf(filter, answer), answer.json);
    return answer.json;
  }

  private remember(key: string, json: string): void {
    if (this.answers.has(key) || json.length > this.capacityChars) return;
    this.answers.set(key, json);
    this.chars += json.length;
    for (const [oldest, text] of this.answers) {
      if (this.chars <= this.capacityChars) break;
      this.answers.delete(oldest);
      this.chars -= text.length;
    }
  }
}

/** Staff read no positions; clients waiting nowhere in the list read the same text. */
function keyOf(filter: SessionListFilter, rows: { version: string; waiting: boolean }): string {
  const reader = filter.clientId === undefined ? 'staff' : rows.waiting ? `client ${filter.clientId}` : 'client';
  return `${reader} ${rows.version}`;
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
  check?: AccountCheck,
): Promise<LedgerEntryRow[]> {
  return checkedRead<LedgerEntryRow & Record<string, unknown>>(
    orm,
    check,
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
