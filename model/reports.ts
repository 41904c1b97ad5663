import type { Orm } from './orm.js';
import { query } from './transaction.js';

/**
 * The owner's reports, all read off the ledger (README, "Reports"). Every credit belongs
 * to a lot, and a lot is worth a fixed amount of money: a purchase's lot (and the lot a
 * won dispute restores) its purchase's amount, an admin's allocation nothing. A lot
 * holding n of its purchase's s sessions is worth floor(amount × n / s) cents, so a full
 * lot is worth exactly what was paid, an empty one 0, and every movement is worth the
 * difference it makes to its lot's value. Opening, movements and closing then add up to
 * the cent, whatever the prices: no remainder is ever left over or counted twice.
 *
 * A lot's "outstanding" credits are the ones the studio still owes: available in it plus
 * held from it by bookings. Holds and releases move credits between the two and change
 * nothing here; consumes, expiries, refunds and corrections take them away.
 */

export interface Period {
  from: Date;
  to: Date;
}

/** How a movement changed what the studio owes. */
export const MOVEMENTS = ['sold', 'allocated', 'restored', 'used', 'forfeited', 'expired', 'refunded', 'removed'] as const;
export type Movement = (typeof MOVEMENTS)[number];
/** Movements that add credits; the others take them away. */
export const INFLOWS: readonly Movement[] = ['sold', 'allocated', 'restored'];

/**
 * Every change of a lot's outstanding credits, with its lot's running count after it. An
 * expiry counts at the lot's expiresAt (reads never count an expired credit, even before
 * the lot's `expire` entry is written), and one not yet written is counted as due.
 */
const VALUED_MOVES = `
  lot_basis as (
    select l.id as lot_id, l.source, pk.id as package_id, pk.name as package_name, p.currency,
           case when l.source = 'allocation' then 0 else coalesce(p.amount_cents, 0) end::numeric as basis_cents,
           greatest(coalesce(p.sessions, 1), 1)::numeric as basis_sessions
      from credit_lots l
      left join purchases p on p.id = l.purchase_id
      left join packages pk on pk.id = p.package_id),
  moves as (
    select e.lot_id, e.id as entry_id, e.kind::text as kind, e.booking_id,
           case when e.kind = 'expire' and e.delta < 0 then l.expires_at else e.created_at end as at,
           e.delta + e.held_delta as sessions
      from ledger_entries e join credit_lots l on l.id = e.lot_id
     where e.delta + e.held_delta <> 0
    union all
    select (t.value->>'lotId')::int, e.id, e.kind::text, null, e.created_at, -(t.value->>'sessions')::int
      from ledger_entries e cross join lateral jsonb_array_elements(e.lots_taken) t
     where e.lot_id is null and (t.value->>'sessions')::int > 0
    union all
    select id, null, 'expire', null, expires_at, -remaining
      from credit_lots where remaining > 0 and expires_at <= now()),
  counted as (
    select m.*, sum(m.sessions) over (partition by m.lot_id order by m.at, m.entry_id nulls last
                                      rows between unbounded preceding and current row) as n_after
      from moves m),
  valued as (
    select c.lot_id, c.entry_id, c.booking_id, c.at, c.sessions, b.package_id, b.package_name, b.currency,
           (floor(b.basis_cents * c.n_after / b.basis_sessions)
              - floor(b.basis_cents * (c.n_after - c.sessions) / b.basis_sessions))::bigint as cents,
           case
             when c.kind = 'grant' then case b.source when 'purchase' then 'sold' when 'allocation' then 'allocated' else 'restored' end
             when c.kind = 'consume' then case when bk.status in ('late_cancelled', 'no_show') then 'forfeited' else 'used' end
             when c.kind = 'expire' then 'expired'
             when c.kind = 'revoke' then 'refunded'
             else 'removed'
           end as movement
      from counted c
      join lot_basis b on b.lot_id = c.lot_id
      left join bookings bk on bk.id = c.booking_id)`;

/**
 * The instant the studio's calendar day `date` (YYYY-MM-DD, or 'month': the first of the
 * current month) plus `days` begins: PostgreSQL turns the local midnight into an instant,
 * daylight-saving days included.
 */
export async function studioDay(orm: Orm, timeZone: string, date: string | 'month', days: number): Promise<Date> {
  const [row] = await query<{ dayAt: Date }>(
    orm,
    `select ((case when ?::text = 'month' then date_trunc('month', now() at time zone ?)::date else ?::date end) + ?::int)::timestamp
            at time zone ? as "dayAt"`,
    [date, timeZone, date === 'month' ? null : date, days, timeZone],
  );
  return row!.dayAt;
}

/** A report never looks past now: a period that has not ended yet is reported up to this instant. */
async function clamp(orm: Orm, at: Date): Promise<Date> {
  const [row] = await query<{ nowAt: Date }>(orm, `select now() as "nowAt"`);
  return at.getTime() < row!.nowAt.getTime() ? at : row!.nowAt;
}

/* ---- liability ---- */

export interface LiabilityRow {
  /** null: credits an admin allocated (worth nothing: nobody paid for them). */
  packageId: number | null;
  packageName: string;
  /** null for allocated credits. */
  currency: string | null;
  lots: number;
  sessions: number;
  valueCents: number;
}

export interface Liability {
  asOf: Date;
  packages: LiabilityRow[];
  sessions: number;
  /** One total per currency the studio sells in. */
  value: Array<{ currency: string; amountCents: number }>;
}

export const ALLOCATED = 'Allocated by the studio';

/** What the studio owed at `asOf`: each lot's outstanding credits at its value, per package. */
export async function liabilityAsOf(orm: Orm, requested: Date): Promise<Liability> {
  const asOf = await clamp(orm, requested);
  const rows = await query<{
    packageId: number | null;
    packageName: string | null;
    currency: string | null;
    lots: number;
    sessions: number;
    cents: string;
  }>(
    orm,
    `with ${VALUED_MOVES}
     select b.package_id as "packageId", b.package_name as "packageName", b.currency, count(*)::int as lots,
            sum(o.n)::int as sessions, sum(floor(b.basis_cents * o.n / b.basis_sessions))::bigint as cents
       from (select lot_id, sum(sessions) as n from moves where at < ? group by lot_id) o
       join lot_basis b on b.lot_id = o.lot_id
      where o.n <> 0
      group by b.package_id, b.package_name, b.currency
      order by b.package_id nulls first, b.currency`,
    [asOf],
  );
  const packages = rows.map((row) => ({
    packageId: row.packageId,
    packageName: row.packageName ?? ALLOCATED,
    currency: row.currency,
    lots: row.lots,
    sessions: row.sessions,
    valueCents: Number(row.cents),
  }));
  return {
    asOf,
    packages,
    sessions: packages.reduce((sum, row) => sum + row.sessions, 0),
    value: await perCurrency(
      orm,
      packages.filter((row) => row.currency !== null).map((row) => ({ currency: row.currency!, amountCents: row.valueCents })),
    ),
  };
}

/** Sums by currency, with a zero for every currency the studio's packages sell in, so a quiet period still shows its money line. */
async function perCurrency(orm: Orm, amounts: Array<{ currency: string; amountCents: number }>) {
  const totals = new Map<string, number>();
  for (const { currency } of await query<{ currency: string }>(orm, `select distinct currency from packages order by currency`))
    totals.set(currency, 0);
  for (const { currency, amountCents } of amounts) totals.set(currency, (totals.get(currency) ?? 0) + amountCents);
  return [...totals.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, amountCents]) => ({ currency, amountCents }));
}

/* ---- roll-forward ---- */

/** opening + sold + allocated + restored − used − forfeited − expired − refunded − removed = closing. */
export type RollForwardLine = { opening: number; closing: number } & Record<Movement, number>;

export interface RollForward {
  from: Date;
  to: Date;
  sessions: RollForwardLine;
  /** The same in money, per currency (allocated credits are worth 0, so `allocated` is 0 here). */
  money: Array<RollForwardLine & { currency: string }>;
}

const emptyLine = (): RollForwardLine => ({
  opening: 0,
  closing: 0,
  ...(Object.fromEntries(MOVEMENTS.map((movement) => [movement, 0])) as Record<Movement, number>),
});

/** Outflows are shown as positive amounts taken away, as the identity reads. */
const signed = (movement: Movement, amount: number) => (INFLOWS.includes(movement) ? amount : -amount);

export async function rollForward(orm: Orm, requested: Period): Promise<RollForward> {
  const period = { from: requested.from, to: await clamp(orm, requested.to) };
  const rows = await query<{ currency: string | null; movement: Movement | 'opening' | 'closing'; sessions: number; cents: string }>(
    orm,
    `with ${VALUED_MOVES}
     select currency, movement, sum(sessions)::int as sessions, sum(cents)::bigint as cents
       from valued where at >= ? and at < ? group by currency, movement
     union all
     select currency, 'opening', sum(sessions)::int, sum(cents)::bigint from valued where at < ? group by currency
     union all
     select currency, 'closing', sum(sessions)::int, sum(cents)::bigint from valued where at < ? group by currency`,
    [period.from, period.to, period.from, period.to],
  );
  const sessions = emptyLine();
  const money = new Map<string, RollForwardLine>();
  for (const { currency } of await perCurrency(orm, [])) money.set(currency, emptyLine());
  for (const row of rows) {
    const figure = (amount: number) => (row.movement === 'opening' || row.movement === 'closing' ? amount : signed(row.movement, amount));
    sessions[row.movement] += figure(row.sessions);
    if (row.currency === null) continue;
    const line = money.get(row.currency) ?? emptyLine();
    line[row.movement] += figure(Number(row.cents));
    money.set(row.currency, line);
  }
  return {
    ...period,
    sessions,
    money: [...money.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([currency, line]) => ({ currency, ...line })),
  };
}

/** Whether a line adds up: what the identity says, checked by whoever reads it. */
export function balances(line: RollForwardLine): boolean {
  const moved = MOVEMENTS.reduce((sum, movement) => sum + signed(movement, line[movement]), 0);
  return line.opening + moved === line.closing;
}

/* ---- usage ---- */

/** What exists today to tell sessions apart: one client per session is personal training, more is a small group. */
export const SESSION_TYPES = { personal: 'Personal training', group: 'Small group' } as const;
export type SessionType = keyof typeof SESSION_TYPES;

export interface UsageRow {
  /** The trainer's id, or the session type. */
  key: string;
  name: string;
  /** Sessions that started in the period and were not cancelled. */
  sessions: number;
  seats: number;
  /** Seats taken by bookings that kept them (scheduled, confirmed, completed, no-show). */
  seatsFilled: number;
  fillRate: number | null;
  /** Bookings of those sessions, whatever became of them. */
  bookings: number;
  completed: number;
  noShows: number;
  lateCancels: number;
  cancels: number;
  /** No-shows among the bookings whose session took place with them (completed or no-show). */
  noShowRate: number | null;
  /** Late cancels among all the bookings. */
  lateCancelRate: number | null;
  /** Credits consumed in the period (completed, no-show, late cancel), when they were consumed. */
  creditsUsed: number;
  /** What those credits were worth, per currency. */
  revenue: Array<{ currency: string; amountCents: number }>;
}

export interface BreakageRow {
  packageId: number | null;
  packageName: string;
  currency: string | null;
  sessions: number;
  valueCents: number;
}

export interface Usage {
  from: Date;
  to: Date;
  trainers: UsageRow[];
  types: UsageRow[];
  /** Credits that expired unused in the period, per package. */
  breakage: BreakageRow[];
  /** Expired credits among all the credits that left the books by use or expiry. */
  breakageRate: number | null;
}

const rate = (part: number, whole: number) => (whole === 0 ? null : part / whole);

export async function usage(orm: Orm, requested: Period): Promise<Usage> {
  const period = { from: requested.from, to: await clamp(orm, requested.to) };
  const typeOf = `case when s.capacity > 1 then 'group' else 'personal' end`;
  const seats = await query<{
    trainerId: number | null;
    trainerName: string | null;
    type: SessionType | null;
    sessions: number;
    seats: number;
    seatsFilled: number;
    bookings: number;
    completed: number;
    noShows: number;
    lateCancels: number;
    cancels: number;
  }>(
    orm,
    `select s.trainer_id as "trainerId", max(t.first_name || ' ' || t.last_name) as "trainerName", ${typeOf} as type,
            count(*)::int as sessions, sum(s.capacity)::int as seats,
            coalesce(sum(b.filled), 0)::int as "seatsFilled", coalesce(sum(b.bookings), 0)::int as bookings,
            coalesce(sum(b.completed), 0)::int as completed, coalesce(sum(b.no_shows), 0)::int as "noShows",
            coalesce(sum(b.late_cancels), 0)::int as "lateCancels", coalesce(sum(b.cancels), 0)::int as cancels
       from training_sessions s
       join users t on t.id = s.trainer_id
       left join (
         select session_id, count(*) as bookings,
                count(*) filter (where status in ('scheduled', 'confirmed', 'completed', 'no_show')) as filled,
                count(*) filter (where status = 'completed') as completed,
                count(*) filter (where status = 'no_show') as no_shows,
                count(*) filter (where status = 'late_cancelled') as late_cancels,
                count(*) filter (where status = 'cancelled') as cancels
           from bookings group by session_id) b on b.session_id = s.id
      where s.starts_at >= ? and s.starts_at < ? and s.status <> 'cancelled'
      group by grouping sets ((s.trainer_id), (${typeOf}))`,
    [period.from, period.to],
  );
  const used = await query<{
    trainerId: number | null;
    trainerName: string | null;
    type: SessionType | null;
    currency: string | null;
    sessions: number;
    cents: string;
  }>(
    orm,
    `with ${VALUED_MOVES}
     select s.trainer_id as "trainerId", max(t.first_name || ' ' || t.last_name) as "trainerName", ${typeOf} as type, v.currency,
            (-sum(v.sessions))::int as sessions, (-sum(v.cents))::bigint as cents
       from valued v join bookings bk on bk.id = v.booking_id join training_sessions s on s.id = bk.session_id
       join users t on t.id = s.trainer_id
      where v.movement in ('used', 'forfeited') and v.at >= ? and v.at < ?
      group by grouping sets ((s.trainer_id, v.currency), (${typeOf}, v.currency))`,
    [period.from, period.to],
  );
  const rows = new Map<string, UsageRow>();
  const rowFor = (group: 'trainer' | 'type', key: string, name: string) => {
    const id = `${group}:${key}`;
    let row = rows.get(id);
    if (!row) {
      row = {
        key,
        name,
        sessions: 0,
        seats: 0,
        seatsFilled: 0,
        fillRate: null,
        bookings: 0,
        completed: 0,
        noShows: 0,
        lateCancels: 0,
        cancels: 0,
        noShowRate: null,
        lateCancelRate: null,
        creditsUsed: 0,
        revenue: [],
      };
      rows.set(id, row);
    }
    return row;
  };
  for (const row of seats) {
    const { trainerId, trainerName, type, ...figures } = row;
    const target = trainerId !== null ? rowFor('trainer', String(trainerId), trainerName!) : rowFor('type', type!, SESSION_TYPES[type!]);
    Object.assign(target, figures);
  }
  for (const row of used) {
    const target =
      row.trainerId !== null
        ? rowFor('trainer', String(row.trainerId), row.trainerName!)
        : rowFor('type', row.type!, SESSION_TYPES[row.type!]);
    target.creditsUsed += row.sessions;
    if (row.currency !== null) target.revenue.push({ currency: row.currency, amountCents: Number(row.cents) });
  }
  for (const row of rows.values()) {
    row.fillRate = rate(row.seatsFilled, row.seats);
    row.noShowRate = rate(row.noShows, row.completed + row.noShows);
    row.lateCancelRate = rate(row.lateCancels, row.bookings);
    row.revenue.sort((a, b) => a.currency.localeCompare(b.currency));
  }
  const grouped = (group: string) =>
    [...rows.entries()]
      .filter(([id]) => id.startsWith(`${group}:`))
      .map(([, row]) => row)
      .sort((a, b) => a.name.localeCompare(b.name));

  const breakage = await query<{
    packageId: number | null;
    packageName: string | null;
    currency: string | null;
    sessions: number;
    cents: string;
  }>(
    orm,
    `with ${VALUED_MOVES}
     select package_id as "packageId", package_name as "packageName", currency, (-sum(sessions))::int as sessions, (-sum(cents))::bigint as cents
       from valued where movement = 'expired' and at >= ? and at < ?
      group by package_id, package_name, currency order by package_id nulls first, currency`,
    [period.from, period.to],
  );
  const [left] = await query<{ consumed: number }>(
    orm,
    `with ${VALUED_MOVES}
     select coalesce(-sum(sessions), 0)::int as consumed from valued where movement in ('used', 'forfeited') and at >= ? and at < ?`,
    [period.from, period.to],
  );
  const expired = breakage.reduce((sum, row) => sum + row.sessions, 0);
  return {
    ...period,
    trainers: grouped('trainer'),
    types: grouped('type'),
    breakage: breakage.map((row) => ({
      packageId: row.packageId,
      packageName: row.packageName ?? ALLOCATED,
      currency: row.currency,
      sessions: row.sessions,
      valueCents: Number(row.cents),
    })),
    breakageRate: rate(expired, expired + left!.consumed),
  };
}
