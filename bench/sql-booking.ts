import type pg from 'pg';

/**
 * Bookings made straight in SQL, beside the app's, for the benchmarks to compare against:
 * the floor (the same booking as one raw transaction, no Temporal, no HTTP) and the seed's
 * booking (check, then decrement, no transaction) that this project replaced.
 */

export type SqlOutcome = 'booked' | 'full' | 'no_credit';

/**
 * The booking's writes as one transaction through `pg`: seat and credit, lot, booking,
 * ledger entry and outbox row, each guarded by the constraints the app relies on. What
 * the app's booking costs beyond this is Temporal, HTTP and the app's own code.
 */
export async function floorBooking(pool: pg.Pool, clientId: number, sessionId: number, workflowId: string): Promise<SqlOutcome> {
  const db = await pool.connect();
  try {
    await db.query('begin');
    const session = await db.query<{ startsAt: Date; endsAt: Date; free: boolean }>(
      `select starts_at as "startsAt", ends_at as "endsAt", booked_count < capacity as free
         from training_sessions where id = $1 for update`,
      [sessionId],
    );
    if (!session.rows[0]?.free) {
      await db.query('rollback');
      return 'full';
    }
    const balance = await db.query<{ available: number; held: number }>(
      `update users set available_sessions = available_sessions - 1, held_sessions = held_sessions + 1
        where id = $1 and available_sessions > 0 returning available_sessions as available, held_sessions as held`,
      [clientId],
    );
    const lot = await db.query<{ id: number }>(
      `update credit_lots set remaining = remaining - 1
        where id = (select id from credit_lots where client_id = $1 and remaining > 0 and (expires_at is null or expires_at > now())
                     order by expires_at asc nulls last, id limit 1 for update)
        returning id`,
      [clientId],
    );
    if (!balance.rows[0] || !lot.rows[0]) {
      await db.query('rollback');
      return 'no_credit';
    }
    const { startsAt, endsAt } = session.rows[0];
    const booking = await db.query<{ id: number }>(
      `insert into bookings (session_id, client_id, status, credit_state, lot_id, starts_at, ends_at, cancel_window_minutes, booked_by, workflow_id)
       values ($1, $2, 'scheduled', 'held', $3, $4, $5, 1440, $6, $7) returning id`,
      [sessionId, clientId, lot.rows[0].id, startsAt, endsAt, `client:${clientId}`, workflowId],
    );
    const bookingId = booking.rows[0]!.id;
    await db.query(`update training_sessions set booked_count = booked_count + 1, status = 'scheduled' where id = $1`, [sessionId]);
    await db.query(
      `insert into ledger_entries (client_id, lot_id, kind, delta, held_delta, balance_after, held_after, session_id, booking_id,
         actor, reason, idempotency_key, workflow_id)
       values ($1, $2, 'hold', -1, 1, $3, $4, $5, $6, $7, 'Booked a session', $8, $9)`,
      [
        clientId,
        lot.rows[0].id,
        balance.rows[0].available,
        balance.rows[0].held,
        sessionId,
        bookingId,
        `client:${clientId}`,
        `hold:booking:${bookingId}`,
        workflowId,
      ],
    );
    await db.query(`insert into notifications (user_id, kind, payload, idempotency_key) values ($1, 'booking.booked', $2, $3)`, [
      clientId,
      JSON.stringify({ bookingId }),
      `booking:${bookingId}:booked`,
    ]);
    await db.query('commit');
    return 'booked';
  } catch (error) {
    await db.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    db.release();
  }
}

/**
 * The seed's tables, as it had them: a counter on the user, a count on the session, and
 * no constraint that would stop either going wrong. Copied from the app's clients and
 * sessions so both run on the same data.
 */
export async function copyIntoSeedTables(pool: pg.Pool, clientIds: number[], sessionIds: number[]): Promise<void> {
  await pool.query(`create schema if not exists seed`);
  await pool.query(`create table if not exists seed.users (id integer primary key, available_sessions integer not null)`);
  await pool.query(
    `create table if not exists seed.sessions (id integer primary key, capacity integer not null, booked_count integer not null)`,
  );
  await pool.query(
    `create table if not exists seed.bookings (id serial primary key, session_id integer not null, user_id integer not null)`,
  );
  await pool.query(`insert into seed.users select id, available_sessions from users where id = any($1) on conflict (id) do nothing`, [
    clientIds,
  ]);
  await pool.query(
    `insert into seed.sessions select id, capacity, booked_count from training_sessions where id = any($1) on conflict (id) do nothing`,
    [sessionIds],
  );
}

/** The seed's booking: read the balance and the seat, insert, then write back what was read minus one. */
export async function seedBooking(pool: pg.Pool, clientId: number, sessionId: number): Promise<SqlOutcome> {
  const user = await pool.query<{ available: number }>(`select available_sessions as available from seed.users where id = $1`, [clientId]);
  if ((user.rows[0]?.available ?? 0) <= 0) return 'no_credit';
  const session = await pool.query<{ capacity: number; booked: number }>(
    `select capacity, booked_count as booked from seed.sessions where id = $1`,
    [sessionId],
  );
  if (session.rows[0]!.booked >= session.rows[0]!.capacity) return 'full';
  await pool.query(`insert into seed.bookings (session_id, user_id) values ($1, $2)`, [sessionId, clientId]);
  await pool.query(`update seed.sessions set booked_count = $1 where id = $2`, [session.rows[0]!.booked + 1, sessionId]);
  await pool.query(`update seed.users set available_sessions = $1 where id = $2`, [user.rows[0]!.available - 1, clientId]);
  return 'booked';
}

export interface Oversells {
  /** Bookings beyond a session's capacity. */
  seats: number;
  /** Bookings beyond the credits their client had. */
  credits: number;
}

/** Counted from the bookings themselves, never from the counters that may have gone wrong. */
export async function countOversells(
  pool: pg.Pool,
  where: 'app' | 'seed',
  credits: Map<number, number>,
  sessionIds: number[],
): Promise<Oversells> {
  const live = where === 'app' ? `status in ('scheduled', 'confirmed')` : 'true';
  const table = where === 'app' ? 'bookings' : 'seed.bookings';
  const clientColumn = where === 'app' ? 'client_id' : 'user_id';
  const seats = await pool.query<{ over: number }>(
    `select coalesce(sum(greatest(b.n - s.capacity, 0)), 0)::int as over
       from (select session_id, count(*)::int as n from ${table} where ${live} and session_id = any($1) group by session_id) b
       join training_sessions s on s.id = b.session_id`,
    [sessionIds],
  );
  const perClient = await pool.query<{ client: number; n: number }>(
    `select ${clientColumn} as client, count(*)::int as n from ${table} where ${live} and session_id = any($1) group by 1`,
    [sessionIds],
  );
  let over = 0;
  for (const row of perClient.rows) over += Math.max(0, row.n - (credits.get(row.client) ?? 0));
  return { seats: seats.rows[0]!.over, credits: over };
}
