import { TrainingSession } from './entities/training-session.js';
import type { Orm } from './orm.js';
import { sessionView, type SessionView } from './schedule.js';
import { query } from './transaction.js';

/**
 * The dashboard's figures, each read in one statement. "Today", "this week" and "the
 * last 30 days" are the studio's calendar, not the server's: PostgreSQL turns the studio's
 * local midnights into instants (`at time zone`), daylight-saving days included.
 */

export interface Period {
  from: Date;
  to: Date;
}

export interface StudioPeriods {
  /** The studio's date today, as YYYY-MM-DD. */
  date: string;
  today: Period;
  /** Monday 00:00 to the next Monday 00:00, the calendar's week. */
  week: Period;
  /** From midnight 29 days ago up to now: today and the 29 days before it. */
  last30Days: Period;
}

export async function studioPeriods(orm: Orm, timeZone: string): Promise<StudioPeriods> {
  const [row] = await query<{
    date: string;
    todayAt: Date;
    tomorrowAt: Date;
    weekAt: Date;
    nextWeekAt: Date;
    last30DaysAt: Date;
    nowAt: Date;
  }>(
    orm,
    `with studio as (select now() at time zone zone.name as wall, zone.name from (select ?::text as name) zone)
     select to_char(wall, 'YYYY-MM-DD') as date,
            date_trunc('day', wall) at time zone name as "todayAt",
            (date_trunc('day', wall) + interval '1 day') at time zone name as "tomorrowAt",
            date_trunc('week', wall) at time zone name as "weekAt",
            (date_trunc('week', wall) + interval '7 days') at time zone name as "nextWeekAt",
            (date_trunc('day', wall) - interval '29 days') at time zone name as "last30DaysAt",
            now() as "nowAt"
       from studio`,
    [timeZone],
  );
  return {
    date: row!.date,
    today: { from: row!.todayAt, to: row!.tomorrowAt },
    week: { from: row!.weekAt, to: row!.nextWeekAt },
    last30Days: { from: row!.last30DaysAt, to: row!.nowAt },
  };
}

/** Sessions starting in the period, cancelled ones included (the schedule shows them struck out), earliest first. */
export async function sessionsBetween(orm: Orm, period: Period, trainerId?: number): Promise<SessionView[]> {
  const sessions = await orm.em
    .fork()
    .find(
      TrainingSession,
      { startsAt: { $gte: period.from, $lt: period.to }, ...(trainerId === undefined ? {} : { trainer: trainerId }) },
      { populate: ['trainer'], orderBy: [{ startsAt: 'asc' }, { id: 'asc' }] },
    );
  return sessions.map(sessionView);
}

export interface Seats {
  sessions: number;
  booked: number;
  capacity: number;
}

/** Seats of the sessions that take place (not cancelled): a completed booking keeps its seat. */
export async function seatsBetween(orm: Orm, period: Period, trainerId?: number): Promise<Seats> {
  const [row] = await query<{ sessions: number; booked: number; capacity: number }>(
    orm,
    `select count(*)::int as sessions, coalesce(sum(booked_count), 0)::int as booked, coalesce(sum(capacity), 0)::int as capacity
       from training_sessions
      where starts_at >= ? and starts_at < ? and status <> 'cancelled' and (?::int is null or trainer_id = ?)`,
    [period.from, period.to, trainerId ?? null, trainerId ?? null],
  );
  return row!;
}

/** An amount in one currency; a studio selling in two currencies gets one of each. */
export interface Money {
  currency: string;
  amountCents: number;
}

export interface Revenue {
  currency: string;
  purchases: number;
  paidCents: number;
  refundedCents: number;
  /** Paid minus refunded. */
  netCents: number;
}

/** Purchases paid in the period, less what has been refunded on them since. */
export async function revenueSince(orm: Orm, from: Date): Promise<Revenue[]> {
  const rows = await query<{ currency: string; purchases: number; paidCents: string; refundedCents: string }>(
    orm,
    `select currency, count(*)::int as purchases, sum(amount_cents)::bigint as "paidCents", sum(refunded_cents)::bigint as "refundedCents"
       from purchases where paid_at >= ? group by currency order by currency`,
    [from],
  );
  return rows.map((row) => ({
    currency: row.currency,
    purchases: row.purchases,
    paidCents: Number(row.paidCents),
    refundedCents: Number(row.refundedCents),
    netCents: Number(row.paidCents) - Number(row.refundedCents),
  }));
}

export interface OutstandingCredits {
  /** Credits clients can still use: available in unexpired lots, plus those held by bookings. */
  credits: number;
  /** Of those, the ones a purchase paid for (the rest were allocated). */
  paidCredits: number;
  /** What the studio owes for them: each at its purchase's price per session; allocated credits at zero. */
  value: Money[];
}

/**
 * The studio's liability, lot by lot: a lot's unused credits are what remains in it (unless
 * it has expired, even before its expiry entry is written) plus the credits bookings hold
 * from it, worth floor(amount × credits / sessions) of its purchase: the same figure the
 * liability report gives (model/reports.ts), to the cent.
 */
export async function outstandingCredits(orm: Orm): Promise<OutstandingCredits> {
  const rows = await query<{ currency: string | null; credits: number; amountCents: string }>(
    orm,
    // One pass over the lots, hash-joined: at tens of thousands of lots a per-lot index lookup costs seconds.
    `select p.currency, sum(u.credits)::int as credits,
            coalesce(sum(floor(u.credits * p.amount_cents::numeric / p.sessions)), 0)::bigint as "amountCents"
       from (select l.purchase_id,
                    (case when l.expires_at is null or l.expires_at > now() then l.remaining else 0 end) + coalesce(h.credits, 0) as credits
               from credit_lots l
               left join (select lot_id, count(*)::int as credits from bookings where credit_state = 'held' group by lot_id) h
                 on h.lot_id = l.id
              where l.remaining > 0 or h.lot_id is not null) u
       left join purchases p on p.id = u.purchase_id
      where u.credits > 0
      group by p.currency order by p.currency nulls first`,
  );
  const paid = rows.filter((row) => row.currency !== null);
  return {
    credits: rows.reduce((sum, row) => sum + row.credits, 0),
    paidCredits: paid.reduce((sum, row) => sum + row.credits, 0),
    value: paid.map((row) => ({ currency: row.currency!, amountCents: Number(row.amountCents) })),
  };
}

export interface PendingPurchases {
  count: number;
  value: Money[];
}

/** Checkouts opened and not yet paid, failed or expired. */
export async function pendingPurchases(orm: Orm): Promise<PendingPurchases> {
  const rows = await query<{ currency: string; count: number; amountCents: string }>(
    orm,
    `select currency, count(*)::int as count, sum(amount_cents)::bigint as "amountCents"
       from purchases where status = 'pending' group by currency order by currency`,
  );
  return {
    count: rows.reduce((sum, row) => sum + row.count, 0),
    value: rows.map((row) => ({ currency: row.currency, amountCents: Number(row.amountCents) })),
  };
}
