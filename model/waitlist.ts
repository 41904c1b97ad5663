import { lockSession } from './bookings.js';
import type { WaitlistState } from './entities/waitlist-entry.js';
import { DomainError, ErrorCode } from './errors.js';
import { queueNotification } from './notifications.js';
import type { Orm } from './orm.js';
import { query, type Sql } from './transaction.js';

/**
 * The waitlist of a full session (docs/domain.md): who waits, in which order, and what became
 * of each entry. Clients join and leave here, in one transaction each under the session's row
 * lock (the lock every seat change takes), so a join never slips past a seat freed at the same
 * moment. Promotion is the waitlist workflow's alone (workflows/waitlist.ts): one per session.
 */

export interface WaitlistEntryView {
  id: number;
  sessionId: number;
  clientId: number;
  clientName: string;
  state: WaitlistState;
  /** 1 for the next client a freed seat goes to; null once the entry is closed. */
  position: number | null;
  joinedAt: Date;
  addedBy: string;
  /** A freed seat is being booked for this entry right now. */
  offered: boolean;
  bookingId: number | null;
  closedAt: Date | null;
  closeReason: string | null;
  startsAt: Date;
  trainerName: string;
}

const ENTRY_COLUMNS = `w.id, w.session_id as "sessionId", w.client_id as "clientId",
  trim(c.first_name || ' ' || c.last_name) as "clientName", w.state,
  case when w.state = 'waiting' then (select count(*)::int from waitlist_entries ahead
        where ahead.session_id = w.session_id and ahead.state = 'waiting' and ahead.id <= w.id) end as position,
  w.joined_at as "joinedAt", w.added_by as "addedBy", w.offered_at is not null as offered, w.booking_id as "bookingId",
  w.closed_at as "closedAt", w.close_reason as "closeReason", s.starts_at as "startsAt",
  trim(t.first_name || ' ' || t.last_name) as "trainerName"`;
const ENTRY_FROM = `waitlist_entries w join users c on c.id = w.client_id
  join training_sessions s on s.id = w.session_id join users t on t.id = s.trainer_id`;

async function entryById(sql: Sql, id: number): Promise<WaitlistEntryView> {
  const [row] = await sql<WaitlistEntryView & Record<string, unknown>>(`select ${ENTRY_COLUMNS} from ${ENTRY_FROM} where w.id = ?`, [id]);
  return row!;
}

/** The rules a waitlist join answers to, from the settings in force. */
export interface WaitlistRules {
  cutoffMinutes: number;
  bookingHorizonDays: number;
}

/**
 * Puts a client on a full session's waitlist, or answers the place they already hold
 * (`joined: false`), so a repeated request is harmless. Refused: a session with a free seat
 * (book it instead), one already booked by this client, one past the cutoff or not bookable.
 */
export async function joinWaitlist(
  sql: Sql,
  request: { sessionId: number; clientId: number; addedBy: string; rules: WaitlistRules },
): Promise<{ entry: WaitlistEntryView; joined: boolean }> {
  await lockSession(sql, request.sessionId);
  const [facts] = await sql<{
    role: string | null;
    active: boolean | null;
    status: string;
    free: boolean;
    closed: boolean;
    tooFar: boolean;
    booked: boolean;
    waitingId: number | null;
  }>(
    `select (select role from users where id = ?) as role, (select active from users where id = ?) as active, s.status,
            s.booked_count < s.capacity as free,
            s.starts_at - make_interval(secs => ?) <= now() as closed,
            s.starts_at > now() + make_interval(days => ?) as "tooFar",
            exists(select 1 from bookings b where b.session_id = s.id and b.client_id = ? and b.status in ('scheduled', 'confirmed')) as booked,
            (select id from waitlist_entries w where w.session_id = s.id and w.client_id = ? and w.state = 'waiting') as "waitingId"
       from training_sessions s where s.id = ?`,
    [
      request.clientId,
      request.clientId,
      request.rules.cutoffMinutes * 60,
      request.rules.bookingHorizonDays,
      request.clientId,
      request.clientId,
      request.sessionId,
    ],
  );
  if (!facts!.role) throw new DomainError(ErrorCode.NotFound, `Client ${request.clientId} was not found.`);
  if (facts!.role !== 'client') throw new DomainError(ErrorCode.InvalidRequest, 'Only clients can join a waitlist.');
  if (facts!.waitingId !== null) return { entry: await entryById(sql, facts!.waitingId), joined: false };
  if (!facts!.active) throw new DomainError(ErrorCode.InvalidRequest, 'This client is deactivated; reactivate them first.');
  if (facts!.status === 'cancelled') throw new DomainError(ErrorCode.NotBookable, 'This session has been cancelled.');
  if (['completed', 'no_show'].includes(facts!.status))
    throw new DomainError(ErrorCode.NotBookable, 'This session has already taken place.');
  if (facts!.booked) throw new DomainError(ErrorCode.AlreadyBooked, 'You are already booked into this session.');
  if (facts!.closed) {
    throw new DomainError(
      ErrorCode.WaitlistClosed,
      `This session starts in less than ${request.rules.cutoffMinutes} minutes: its waitlist is closed.`,
    );
  }
  if (facts!.tooFar)
    throw new DomainError(ErrorCode.NotBookable, `Sessions can be booked at most ${request.rules.bookingHorizonDays} days ahead.`);
  if (facts!.free)
    throw new DomainError(ErrorCode.SeatsAvailable, 'This session has a free seat: book it instead of joining the waitlist.');
  const [row] = await sql<{ id: number }>(`insert into waitlist_entries (session_id, client_id, added_by) values (?, ?, ?) returning id`, [
    request.sessionId,
    request.clientId,
    request.addedBy,
  ]);
  return { entry: await entryById(sql, row!.id), joined: true };
}

/**
 * Takes a client off a session's waitlist. A seat being booked for them at this very moment
 * is not taken back (409): once it is booked, they cancel the booking instead.
 */
export async function leaveWaitlist(
  sql: Sql,
  request: { sessionId: number; clientId: number; reason: string },
): Promise<WaitlistEntryView> {
  const [row] = await sql<{ id: number; offered: boolean }>(
    `select id, offered_at is not null as offered from waitlist_entries
      where session_id = ? and client_id = ? and state = 'waiting' for update`,
    [request.sessionId, request.clientId],
  );
  if (!row) throw new DomainError(ErrorCode.NotFound, 'This client is not on the waitlist of this session.');
  if (row.offered) {
    throw new DomainError(
      ErrorCode.PromotionInProgress,
      'A freed seat is being booked for this client right now; cancel the booking instead.',
    );
  }
  await closeEntry(sql, row.id, 'left', request.reason);
  return entryById(sql, row.id);
}

async function closeEntry(sql: Sql, id: number, state: Exclude<WaitlistState, 'waiting' | 'promoted'>, reason: string): Promise<void> {
  await sql(`update waitlist_entries set state = ?, closed_at = now(), close_reason = ?, offered_at = null where id = ?`, [
    state,
    reason,
    id,
  ]);
}

/* ---- the waitlist workflow's steps (activities/waitlist.ts runs each in one transaction) ---- */

/** What the waitlist workflow does next for its session. */
export interface WaitlistStep {
  /** Book this entry now (its offer is recorded, so a retry finds it again). */
  promote: { entryId: number; clientId: number; offerId: string } | null;
  /** Entries still waiting after this step. */
  waiting: number;
  /** When seats stop being offered (the start less the cutoff); null once the waitlist is closed for good. */
  closesAt: Date | null;
  /** Entries this step closed: skipped for want of a credit, or left because the client booked directly. */
  skipped: number;
}

const offerIdOf = (offeredAt: Date) => String(offeredAt.getTime());

/**
 * One look at a session's waitlist, under the session's row lock: with the session cancelled
 * every waiting entry is cancelled and its client told; past the cutoff (or with the session
 * over) every waiting entry expires; otherwise, while a seat is free, the
 * first waiting client with a credit is offered it. Clients without a credit are skipped on
 * the way, each told in the same transaction.
 */
export async function nextOnWaitlist(sql: Sql, request: { sessionId: number; rules: WaitlistRules }): Promise<WaitlistStep> {
  const session = await lockSession(sql, request.sessionId);
  const [timing] = await sql<{ closesAt: Date; closed: boolean; tooFar: boolean }>(
    `select ?::timestamptz - make_interval(secs => ?) as "closesAt", ?::timestamptz - make_interval(secs => ?) <= now() as closed,
            ?::timestamptz > now() + make_interval(days => ?) as "tooFar"`,
    [
      session.startsAt,
      request.rules.cutoffMinutes * 60,
      session.startsAt,
      request.rules.cutoffMinutes * 60,
      session.startsAt,
      request.rules.bookingHorizonDays,
    ],
  );
  if (session.status === 'cancelled') {
    // No promotion is in flight while the workflow looks, so an offer left by the cancel ends here too.
    const closed = await closeWaitlistOfCancelledSession(sql, request.sessionId, { offersInFlight: false });
    return { promote: null, waiting: 0, closesAt: null, skipped: closed };
  }
  const over = ['completed', 'no_show'].includes(session.status);
  if (over || timing!.closed) {
    const reason = over ? 'The session took place.' : `No seat freed up more than ${request.rules.cutoffMinutes} minutes before the start.`;
    const expired = await sql(
      `update waitlist_entries set state = 'expired', closed_at = now(), close_reason = ?, offered_at = null
        where session_id = ? and state = 'waiting' returning id`,
      [reason, request.sessionId],
    );
    return { promote: null, waiting: 0, closesAt: null, skipped: expired.length };
  }
  // A client who booked this session directly while waiting has what they waited for.
  const direct = await sql(
    `update waitlist_entries w set state = 'left', closed_at = now(), close_reason = 'Booked the session directly.', offered_at = null
      where w.session_id = ? and w.state = 'waiting' and w.offered_at is null
        and exists(select 1 from bookings b where b.session_id = w.session_id and b.client_id = w.client_id and b.status in ('scheduled', 'confirmed'))
      returning id`,
    [request.sessionId],
  );
  let skipped = direct.length;
  const waitingCount = async () =>
    (
      await sql<{ n: number }>(`select count(*)::int as n from waitlist_entries where session_id = ? and state = 'waiting'`, [
        request.sessionId,
      ])
    )[0]!.n;
  const seatFree = session.bookedCount < session.capacity && !timing!.tooFar;
  if (!seatFree) return { promote: null, waiting: await waitingCount(), closesAt: timing!.closesAt, skipped };

  const candidates = await sql<{ id: number; clientId: number; offeredAt: Date | null; active: boolean; available: number }>(
    `select w.id, w.client_id as "clientId", w.offered_at as "offeredAt", u.active, coalesce(cb.available, 0) as available
       from waitlist_entries w join users u on u.id = w.client_id left join client_balances cb on cb.client_id = w.client_id
      where w.session_id = ? and w.state = 'waiting' order by w.id`,
    [request.sessionId],
  );
  for (const candidate of candidates) {
    // An offer already made (its booking may be in flight) is carried on, never made twice.
    if (candidate.offeredAt) {
      return {
        promote: { entryId: candidate.id, clientId: candidate.clientId, offerId: offerIdOf(candidate.offeredAt) },
        waiting: await waitingCount(),
        closesAt: timing!.closesAt,
        skipped,
      };
    }
    if (!candidate.active) {
      await closeEntry(sql, candidate.id, 'left', "The client's account is deactivated.");
      skipped += 1;
      continue;
    }
    if (candidate.available <= 0) {
      await skipForWantOfCredit(sql, candidate.id, candidate.clientId, request.sessionId);
      skipped += 1;
      continue;
    }
    const [offer] = await sql<{ offeredAt: Date }>(
      `update waitlist_entries set offered_at = now() where id = ? returning offered_at as "offeredAt"`,
      [candidate.id],
    );
    return {
      promote: { entryId: candidate.id, clientId: candidate.clientId, offerId: offerIdOf(offer!.offeredAt) },
      waiting: await waitingCount(),
      closesAt: timing!.closesAt,
      skipped,
    };
  }
  return { promote: null, waiting: 0, closesAt: timing!.closesAt, skipped };
}

/**
 * Ends the waitlist of a session being cancelled, in the cancel's transaction: each waiting
 * client is told (`waitlist.cancelled`) and their entry closes as `cancelled`; one who booked
 * the session directly while waiting is `left`, told by their booking's cancellation instead.
 * With `offersInFlight`, an entry the waitlist's workflow is booking right now is left to it:
 * the workflow records what came of the offer (a booking the cancel then ends, or a refusal),
 * then looks again and ends the entry here. Answers how many entries it closed.
 */
export async function closeWaitlistOfCancelledSession(
  sql: Sql,
  sessionId: number,
  { offersInFlight }: { offersInFlight: boolean },
): Promise<number> {
  const booked = `exists(select 1 from bookings b where b.session_id = w.session_id and b.client_id = w.client_id
    and b.status in ('scheduled', 'confirmed'))`;
  const untouched = offersInFlight ? 'and w.offered_at is null' : '';
  const direct = await sql(
    `update waitlist_entries w set state = 'left', closed_at = now(), close_reason = 'Booked the session directly.', offered_at = null
      where w.session_id = ? and w.state = 'waiting' ${untouched} and ${booked} returning id`,
    [sessionId],
  );
  const cancelled = await sql<{ id: number; clientId: number }>(
    `update waitlist_entries w set state = 'cancelled', closed_at = now(), close_reason = 'The session was cancelled.', offered_at = null
      where w.session_id = ? and w.state = 'waiting' ${untouched} and not ${booked} returning id, client_id as "clientId"`,
    [sessionId],
  );
  for (const entry of cancelled) {
    await queueNotification(sql, {
      userId: entry.clientId,
      kind: 'waitlist.cancelled',
      payload: { entryId: entry.id, sessionId },
      idempotencyKey: `waitlist:${entry.id}:cancelled`,
    });
  }
  return direct.length + cancelled.length;
}

/** A freed seat went past a client without a credit: their entry closes and they are told why. */
export async function skipForWantOfCredit(sql: Sql, entryId: number, clientId: number, sessionId: number): Promise<void> {
  await closeEntry(sql, entryId, 'skipped', 'A seat freed up, but the client had no credit to book it with.');
  await queueNotification(sql, {
    userId: clientId,
    kind: 'waitlist.skipped',
    payload: { entryId, sessionId },
    idempotencyKey: `waitlist:${entryId}:skipped`,
  });
}

/** The entry as a promotion left it, locked: its state, its offer, and a booking of its client made since the offer. */
export async function lockOffer(
  sql: Sql,
  entryId: number,
): Promise<{ state: WaitlistState; sessionId: number; clientId: number; offeredAt: Date | null; bookingSinceOffer: number | null }> {
  const [row] = await sql<{
    state: WaitlistState;
    sessionId: number;
    clientId: number;
    offeredAt: Date | null;
    bookingSinceOffer: number | null;
  }>(
    `select w.state, w.session_id as "sessionId", w.client_id as "clientId", w.offered_at as "offeredAt",
            (select b.id from bookings b where b.session_id = w.session_id and b.client_id = w.client_id
                and b.booked_at >= w.offered_at and b.credit_state <> 'pending' order by b.id desc limit 1) as "bookingSinceOffer"
       from waitlist_entries w where w.id = ? for update`,
    [entryId],
  );
  if (!row) throw new DomainError(ErrorCode.NotFound, `Waitlist entry ${entryId} was not found.`);
  return row;
}

/** The offer became a booking: the entry is promoted and the client told, in one transaction. */
export async function recordPromotion(sql: Sql, entryId: number, clientId: number, bookingId: number): Promise<void> {
  await sql(
    `update waitlist_entries set state = 'promoted', booking_id = ?, closed_at = now(), close_reason = null
      where id = ? and state = 'waiting'`,
    [bookingId, entryId],
  );
  await queueNotification(sql, {
    userId: clientId,
    kind: 'waitlist.promoted',
    payload: { entryId, bookingId },
    idempotencyKey: `waitlist:${entryId}:promoted`,
  });
}

/** The seat went to someone else first: the entry waits on, offer withdrawn. */
export async function withdrawOffer(sql: Sql, entryId: number): Promise<void> {
  await sql(`update waitlist_entries set offered_at = null where id = ? and state = 'waiting'`, [entryId]);
}

export async function closeOffer(sql: Sql, entryId: number, state: 'left' | 'skipped', reason: string): Promise<void> {
  await closeEntry(sql, entryId, state, reason);
}

/* ---- reads ---- */

/** A session's waitlist, in the order seats are offered, then the closed entries newest first. */
export async function waitlistOfSession(orm: Orm, sessionId: number): Promise<WaitlistEntryView[]> {
  return query<WaitlistEntryView & Record<string, unknown>>(
    orm,
    `select ${ENTRY_COLUMNS} from ${ENTRY_FROM} where w.session_id = ?
      order by w.state <> 'waiting', case when w.state = 'waiting' then w.id end, w.closed_at desc, w.id desc`,
    [sessionId],
  );
}

/** A client's waitlist entries, latest first. */
export async function waitlistOfClient(orm: Orm, clientId: number): Promise<WaitlistEntryView[]> {
  return query<WaitlistEntryView & Record<string, unknown>>(
    orm,
    `select ${ENTRY_COLUMNS} from ${ENTRY_FROM} where w.client_id = ? order by w.id desc limit 200`,
    [clientId],
  );
}

/** How a session's waitlist looks to one reader: how many wait, and (for a client) their own place. */
export interface WaitlistGlance {
  waiting: number;
  /** The reading client's own live entry, when they wait. */
  position: number | null;
}

/** A session's waitlist in an answer: how many wait, and for a client reader their own position (null: not waiting). */
export function waitlistOf(glances: Map<number, WaitlistGlance>, sessionId: number, clientId: number | undefined) {
  const glance = glances.get(sessionId);
  return { waiting: glance?.waiting ?? 0, ...(clientId === undefined ? {} : { position: glance?.position ?? null }) };
}

/**
 * The glance at one session's waitlist, as SQL for a lateral join: `waiting` and, for the
 * client whose id is the one `?` parameter, their `position` (null when they do not wait).
 * `session` is the SQL of the session's id; the session list joins it in (model/schedule.ts).
 */
export const waitlistGlanceSql = (session: string) =>
  `select count(*)::int as waiting,
          nullif(count(*) filter (where w.id <= (select mine.id from waitlist_entries mine
                  where mine.session_id = ${session} and mine.client_id = ? and mine.state = 'waiting')), 0)::int as position
     from waitlist_entries w where w.session_id = ${session} and w.state = 'waiting'`;

export async function waitlistGlances(orm: Orm, sessionIds: number[], clientId?: number): Promise<Map<number, WaitlistGlance>> {
  if (sessionIds.length === 0) return new Map();
  const rows = await query<{ sessionId: number; waiting: number; position: number | null }>(
    orm,
    `select s.id as "sessionId", g.waiting, g.position
       from unnest(?::int[]) s(id) cross join lateral (${waitlistGlanceSql('s.id')}) g
      where g.waiting > 0`,
    [`{${sessionIds.join(',')}}`, clientId ?? 0],
  );
  return new Map(rows.map((row) => [row.sessionId, { waiting: row.waiting, position: row.position }]));
}
