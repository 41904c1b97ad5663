import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCreditActivities } from '../../activities/credits.js';
import { createAccount } from '../../model/accounts.js';
import { TrainingSession } from '../../model/entities/training-session.js';
import type { User } from '../../model/entities/user.js';
import type { Orm } from '../../model/orm.js';
import { ledgerFor, SessionListCache, sessionListJson } from '../../model/schedule.js';
import { clientsWithBalanceDrift, clientSummary } from '../../model/summary.js';
import { query } from '../../model/transaction.js';
import { openTestDatabase } from '../support/database.js';

/**
 * The read side's rules that no API test pins down on its own: the bookable-session filter
 * (seats, status and the late-booking window, judged by the database's clock), the
 * ledger's keyset paging, and the drift check that compares cached balances with the view.
 */
let orm: Orm;
let trainer: User;
let client: User;

const account = (role: 'trainer' | 'client', name: string) =>
  createAccount(orm, { email: `${name}@read-side.test`, password: 'correct horse battery', role, firstName: name, lastName: 'Test' });

async function session(
  startsAt: Date,
  fields: { capacity?: number; bookedCount?: number; status?: 'available' | 'cancelled' } = {},
): Promise<number> {
  const em = orm.em.fork();
  const created = em.create(TrainingSession, { trainer: trainer.id, startsAt, durationMinutes: 30, ...fields });
  await em.flush();
  return created.id;
}

beforeAll(async () => {
  ({ orm } = await openTestDatabase());
  trainer = await account('trainer', 'trainer');
  client = await account('client', 'client');
  const credits = createCreditActivities({ orm });
  for (const key of ['a', 'b', 'c']) {
    await credits.grantCredits({
      idempotencyKey: `read-side:${key}`,
      clientId: client.id,
      quantity: 1,
      source: 'allocation',
      actor: 'system',
      reason: 'test',
      expiresAt: null,
    });
  }
});

afterAll(async () => {
  await orm?.close(true);
});

describe('bookable sessions', () => {
  it('lists open seats from the late-booking window on, never full or cancelled sessions', async () => {
    const now = Date.now();
    const hour = 3_600_000;
    const open = await session(new Date(now + 24 * hour));
    const startedRecently = await session(new Date(now - 5 * 60_000));
    const startedLongAgo = await session(new Date(now - 3 * hour));
    const full = await session(new Date(now + 26 * hour), { capacity: 2, bookedCount: 2 });
    const cancelled = await session(new Date(now + 28 * hour), { status: 'cancelled' });
    const window = { from: new Date(now - 4 * hour), to: new Date(now + 30 * hour), trainerId: trainer.id, lateBookingMinutes: 10 };

    const list = async (bookableOnly: boolean) =>
      JSON.parse(await sessionListJson(orm, { ...window, bookableOnly })) as Array<{ id: number; startsAt: string; endsAt: string }>;

    const bookable = await list(true);
    expect(bookable.map((s) => s.id)).toEqual([startedRecently, open]);
    const all = await list(false);
    expect(all.map((s) => s.id)).toEqual([startedLongAgo, startedRecently, open, full, cancelled]);
    expect(all.find((s) => s.id === full)).toMatchObject({
      seatsLeft: 0,
      trainerName: 'trainer Test',
      trainerId: trainer.id,
      waitlist: { waiting: 0 },
    });
    // Times as toISOString writes them, milliseconds and all.
    expect(all[0]!.startsAt).toBe(new Date(now - 3 * hour).toISOString());
    expect(all[0]!.endsAt).toBe(new Date(now - 3 * hour + 30 * 60_000).toISOString());
  });
});

describe('the session list from memory', () => {
  it('answers from memory until any row it was written from changes, whoever commits the change', async () => {
    const now = Date.now();
    const hour = 3_600_000;
    const first = await session(new Date(now + 50 * hour), { capacity: 3 });
    const second = await session(new Date(now + 51 * hour), { capacity: 1 });
    const other = await account('client', 'waiter');
    const window = { from: new Date(now + 49 * hour), to: new Date(now + 52 * hour), lateBookingMinutes: 10 };
    const cache = new SessionListCache(orm);
    const read = async (filter: Partial<Parameters<SessionListCache['json']>[0]> = {}) => {
      const full = { ...window, bookableOnly: false, ...filter };
      const text = await cache.json(full);
      // Whatever the cache answers, the database would answer the same at this moment.
      expect(text).toBe(await sessionListJson(orm, full));
      return JSON.parse(text) as Array<{
        id: number;
        seatsLeft: number;
        trainerName: string;
        waitlist: { waiting: number; position?: number | null };
      }>;
    };
    const seats = async () => Object.fromEntries((await read()).map((s) => [s.id, s.seatsLeft]));
    const counted = () => ({ ...cache.counts });

    expect(await seats()).toEqual({ [first]: 3, [second]: 1 });
    expect(await seats()).toEqual({ [first]: 3, [second]: 1 });
    expect(counted()).toEqual({ fromMemory: 1, written: 1 });

    // Another connection books a seat, as a worker would: the next read shows it.
    await query(orm, `update training_sessions set booked_count = 1 where id = ?`, [first]);
    expect(await seats()).toEqual({ [first]: 2, [second]: 1 });
    expect(counted()).toEqual({ fromMemory: 1, written: 2 });

    // A later start moves the window: the same sessions, the same text, still from memory.
    expect(await seats()).toEqual({ [first]: 2, [second]: 1 });
    await read({ from: new Date(now + 49.5 * hour) });
    expect(counted()).toEqual({ fromMemory: 3, written: 2 });

    // The trainer renamed, and the session that fills up leaves the bookable list.
    await query(orm, `update users set first_name = 'Renamed' where id = ?`, [trainer.id]);
    expect((await read()).map((s) => s.trainerName)).toEqual(['Renamed Test', 'Renamed Test']);
    await query(orm, `update training_sessions set booked_count = 1 where id = ?`, [second]);
    expect((await read({ bookableOnly: true })).map((s) => s.id)).toEqual([first]);
    expect((await read({ bookableOnly: true, includeFull: true })).map((s) => s.id)).toEqual([first, second]);

    // A client who joins a waitlist reads their own position; every other reader sees the queue grow.
    const asClient = { bookableOnly: true, includeFull: true };
    expect((await read({ ...asClient, clientId: client.id }))[1]!.waitlist).toEqual({ waiting: 0, position: null });
    await query(orm, `insert into waitlist_entries (session_id, client_id, added_by) values (?, ?, ?)`, [second, other.id, other.id]);
    expect((await read({ ...asClient, clientId: other.id }))[1]!.waitlist).toEqual({ waiting: 1, position: 1 });
    expect((await read({ ...asClient, clientId: client.id }))[1]!.waitlist).toEqual({ waiting: 1, position: null });
    expect((await read(asClient))[1]!.waitlist).toEqual({ waiting: 1 });
    await query(orm, `update waitlist_entries set state = 'cancelled', closed_at = now() where client_id = ?`, [other.id]);
    expect((await read({ ...asClient, clientId: other.id }))[1]!.waitlist).toEqual({ waiting: 0, position: null });
    await query(orm, `update users set first_name = 'trainer' where id = ?`, [trainer.id]);
  });

  it('forgets the answers read longest ago once it holds more than its room', async () => {
    const now = Date.now();
    const hour = 3_600_000;
    await session(new Date(now + 60 * hour));
    const cache = new SessionListCache(orm, 500);
    const window = (hours: number) => ({ from: new Date(now + hours * hour), to: new Date(now + 61 * hour), lateBookingMinutes: 10 });
    const text = await cache.json({ ...window(59), bookableOnly: false });
    expect(text.length).toBeGreaterThan(250);
    expect(text.length).toBeLessThan(500);
    await cache.json({ ...window(59), bookableOnly: false, clientId: client.id });
    await cache.json({ ...window(59), bookableOnly: false, clientId: client.id });
    await cache.json({ ...window(59), bookableOnly: false });
    expect(cache.counts).toEqual({ fromMemory: 1, written: 3 });
  });
});

describe('a client ledger', () => {
  it('pages newest first, each page before the last id seen', async () => {
    const first = await ledgerFor(orm, client.id, { limit: 2 });
    expect(first.map((entry) => entry.idempotencyKey)).toEqual(['read-side:c', 'read-side:b']);
    expect(first[0]).toMatchObject({
      clientId: client.id,
      kind: 'grant',
      delta: 1,
      balanceAfter: 3,
      lotId: expect.any(Number),
      sessionId: null,
    });
    expect(first[0]!.createdAt).toBeInstanceOf(Date);
    const next = await ledgerFor(orm, client.id, { limit: 2, beforeId: first[1]!.id });
    expect(next.map((entry) => entry.idempotencyKey)).toEqual(['read-side:a']);
  });
});

describe('balance drift', () => {
  it('is zero while cached balances follow the ledger, and counts a client whose cache was edited behind its back', async () => {
    expect(await clientsWithBalanceDrift(orm)).toBe(0);
    expect(await clientSummary(orm, client.id)).toMatchObject({ userId: client.id, available: 3, total: 3 });
    await query(orm, 'update users set available_sessions = available_sessions + 1 where id = ?', [client.id]);
    expect(await clientsWithBalanceDrift(orm)).toBe(1);
    expect(await clientSummary(orm, client.id)).toMatchObject({ available: 3 });
  });
});
