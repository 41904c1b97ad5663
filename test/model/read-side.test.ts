import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCreditActivities } from '../../activities/credits.js';
import { createAccount } from '../../model/accounts.js';
import { TrainingSession } from '../../model/entities/training-session.js';
import type { User } from '../../model/entities/user.js';
import type { Orm } from '../../model/orm.js';
import { ledgerFor, sessionListJson } from '../../model/schedule.js';
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
