import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from '../../model/orm.js';
import { createTestDatabase } from '../support/database.js';

/**
 * The invariants the database itself enforces (docs/domain.md): each statement below is what a
 * buggy or hand-written code path could try, and each must be refused by PostgreSQL.
 */
let db: pg.Client;

async function sqlState(statement: string, params: unknown[] = []): Promise<string | undefined> {
  await db.query('savepoint attempt');
  try {
    await db.query(statement, params);
    await db.query('release savepoint attempt');
    return undefined;
  } catch (error) {
    await db.query('rollback to savepoint attempt');
    return (error as { code?: string }).code;
  }
}

beforeAll(async () => {
  const url = await createTestDatabase({ migrated: false });
  const orm = await openDatabase(url, 1);
  const applied = await migrateToLatest(orm);
  expect(applied).toContain('Migration20261127000000_initial');
  await orm.close(true);
  db = new pg.Client({ connectionString: url });
  await db.connect();
  await db.query('begin');
  await db.query(`insert into users (id, email, password_hash, role) values
    (1, 'trainer@x.test', 'h', 'trainer'), (2, 'trainer2@x.test', 'h', 'trainer'),
    (3, 'client@x.test', 'h', 'client'), (4, 'client2@x.test', 'h', 'client')`);
  await db.query(`insert into packages (id, name, sessions, price_cents) values (1, 'Ten', 10, 70000)`);
});

afterAll(async () => {
  await db?.query('rollback');
  await db?.end();
});

describe('migrations', () => {
  it('apply from an empty database and create every table of the model', async () => {
    const { rows } = await db.query(`select table_name from information_schema.tables where table_schema = 'public' order by 1`);
    expect(rows.map((row) => row.table_name)).toEqual(
      expect.arrayContaining([
        'bookings',
        'credit_lots',
        'ledger_entries',
        'notifications',
        'packages',
        'purchases',
        'training_sessions',
        'users',
      ]),
    );
  });
});

describe('constraints', () => {
  it('refuse a negative cached balance', async () => {
    expect(await sqlState(`update users set available_sessions = -1 where id = 3`)).toBe('23514');
  });

  it('refuse a lot whose remaining falls below zero or above its quantity', async () => {
    await db.query(`insert into credit_lots (id, client_id, source, quantity, remaining) values (1, 3, 'allocation', 2, 2)`);
    expect(await sqlState(`update credit_lots set remaining = -1 where id = 1`)).toBe('23514');
    expect(await sqlState(`update credit_lots set remaining = 3 where id = 1`)).toBe('23514');
  });

  it('refuse a second purchase with the same Stripe checkout session id', async () => {
    const insert = `insert into purchases (client_id, package_id, sessions, amount_cents, currency, stripe_checkout_session_id)
      values (3, 1, 10, 70000, 'usd', 'cs_test_same')`;
    expect(await sqlState(insert)).toBeUndefined();
    expect(await sqlState(insert)).toBe('23505');
  });

  it('refuse two ledger entries with one idempotency key, and a negative balance after', async () => {
    const insert = `insert into ledger_entries (client_id, kind, delta, balance_after, held_after, actor, reason, idempotency_key)
      values (3, 'grant', 1, $1, 0, 'system', 'test', $2)`;
    expect(await sqlState(insert, [1, 'key-1'])).toBeUndefined();
    expect(await sqlState(insert, [1, 'key-1'])).toBe('23505');
    expect(await sqlState(insert, [-1, 'key-2'])).toBe('23514');
  });

  it('keep the ledger append-only: UPDATE, DELETE and TRUNCATE are rejected', async () => {
    await db.query(`insert into ledger_entries (client_id, kind, delta, balance_after, held_after, actor, reason, idempotency_key)
      values (3, 'grant', 5, 5, 0, 'system', 'test', 'append-only')`);
    expect(await sqlState(`update ledger_entries set delta = 50 where idempotency_key = 'append-only'`)).toBe('23001');
    expect(await sqlState(`delete from ledger_entries where idempotency_key = 'append-only'`)).toBe('23001');
    // The change-event triggers fire at commit; fired now, TRUNCATE meets the append-only trigger rather than
    // PostgreSQL's own refusal to truncate a table with pending trigger events.
    await db.query('set constraints all immediate');
    expect(await sqlState(`truncate ledger_entries cascade`)).toBe('23001');
  });

  it('refuse overlapping sessions for one trainer, allow them for two trainers or after a cancel', async () => {
    await db.query(`insert into training_sessions (id, trainer_id, starts_at, duration_minutes) values (1001, 1, '2030-01-01T10:00Z', 60)`);
    expect(
      await sqlState(`insert into training_sessions (trainer_id, starts_at, duration_minutes) values (1, '2030-01-01T10:30Z', 60)`),
    ).toBe('23P01');
    expect(
      await sqlState(`insert into training_sessions (trainer_id, starts_at, duration_minutes) values (1, '2030-01-01T11:00Z', 60)`),
    ).toBeUndefined();
    expect(
      await sqlState(`insert into training_sessions (trainer_id, starts_at, duration_minutes) values (2, '2030-01-01T10:30Z', 60)`),
    ).toBeUndefined();
    expect(await sqlState(`update training_sessions set status = 'cancelled' where id = 1001`)).toBeUndefined();
    expect(
      await sqlState(`insert into training_sessions (trainer_id, starts_at, duration_minutes) values (1, '2030-01-01T10:15Z', 30)`),
    ).toBeUndefined();
  });

  it('derive ends_at from start and duration, whatever the writer supplies', async () => {
    const { rows } = await db.query(`insert into training_sessions (trainer_id, starts_at, duration_minutes, ends_at)
      values (2, '2030-02-01T09:00Z', 45, '2031-01-01T00:00Z') returning ends_at`);
    expect(new Date(rows[0].ends_at).toISOString()).toBe('2030-02-01T09:45:00.000Z');
  });

  it('refuse more bookings than a session holds', async () => {
    await db.query(
      `insert into training_sessions (id, trainer_id, starts_at, duration_minutes, capacity) values (1010, 2, '2030-03-01T09:00Z', 60, 1)`,
    );
    expect(await sqlState(`update training_sessions set booked_count = 1 where id = 1010`)).toBeUndefined();
    expect(await sqlState(`update training_sessions set booked_count = 2 where id = 1010`)).toBe('23514');
  });

  it('refuse overlapping live bookings for one client, and a second live booking of one session', async () => {
    await db.query(`insert into training_sessions (id, trainer_id, starts_at, duration_minutes, capacity) values
      (1020, 1, '2030-04-01T09:00Z', 60, 5), (1021, 2, '2030-04-01T09:30Z', 60, 5)`);
    const book = (
      sessionId: number,
    ) => `insert into bookings (session_id, client_id, starts_at, ends_at, cancel_window_minutes, booked_by, workflow_id)
      select id, 4, starts_at, ends_at, 1440, 'client:4', 'wf-' || id from training_sessions where id = ${sessionId}`;
    expect(await sqlState(book(1020))).toBeUndefined();
    expect(['23505', '23P01']).toContain(await sqlState(book(1020)));
    expect(await sqlState(book(1021))).toBe('23P01');
  });

  it('refuse a booking that claims a held credit without a lot', async () => {
    expect(
      await sqlState(`insert into bookings (session_id, client_id, starts_at, ends_at, cancel_window_minutes, booked_by, workflow_id, credit_state)
      select id, 3, starts_at, ends_at, 1440, 'client:3', 'wf-x', 'held' from training_sessions where id = 1021`),
    ).toBe('23514');
  });
});
