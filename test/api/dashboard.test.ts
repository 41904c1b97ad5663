import { DateTime } from 'luxon';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { createUser, grant, type TestUser } from '../support/actors.js';
import { urlFor } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { expectLedgerConsistent } from '../support/invariants.js';
import { startStack, type TestStack } from '../support/stack.js';
import { checkout, chargeRefunded, completed, createPackage, deliver, purchaseRow, waitFor, type TestPurchase } from '../support/stripe.js';
import { ANY_HOUR_POLICIES, book, placeSession, studioDate, studioTime } from '../support/studio-day.js';

/*
 * The dashboard's figures on one seeded studio, exact to the cent. The studio is in Los
 * Angeles, so its 23:30 is the next day in UTC: a server counting UTC days would put that
 * session tomorrow, and its midnight 29 days ago is not UTC's either.
 */
const ZONE = 'America/Los_Angeles';

let stack: TestStack;
let admin: TestUser;
let trainer: TestUser;
let otherTrainer: TestUser;
let client: TestUser;
const sessions = { earlyToday: 0, lateToday: 0, cancelledToday: 0, lateYesterday: 0, earlyTomorrow: 0, nextWeek: 0 };
/** The two sessions either side of today: part of this week's figures only when their day is in it. */
let inThisWeek: (at: Date) => boolean;

async function paidPurchase(buyer: TestUser, packageId: number): Promise<TestPurchase> {
  const purchase = await checkout(stack, buyer, packageId);
  await deliver(stack, completed(purchase));
  await waitFor(
    () => purchaseRow(stack.orm, purchase.id),
    (row) => row.status === 'paid',
  );
  return purchase;
}

const paidAt = (purchase: TestPurchase, at: Date) => query(stack.orm, 'update purchases set paid_at = ? where id = ?', [at, purchase.id]);

const dashboard = async (who: TestUser) => {
  const response = await stack.app.inject({ url: '/api/admin/dashboard', headers: who.headers });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
};

beforeAll(async () => {
  stack = await startStack({ STUDIO_TIME_ZONE: ZONE, STUDIO_NAME: 'Sunset Strength', ...ANY_HOUR_POLICIES });
  admin = await createUser(stack, 'admin');
  trainer = await createUser(stack, 'trainer', 'own');
  otherTrainer = await createUser(stack, 'trainer', 'other');
  client = await createUser(stack, 'client', 'buyer');
  const [gifted, giftedToo, lapsed, edgeIn, edgeOut, browsing] = (await Promise.all(
    ['gifted', 'giftedtoo', 'lapsed', 'edgein', 'edgeout', 'browsing'].map((name) => createUser(stack, 'client', name)),
  )) as [TestUser, TestUser, TestUser, TestUser, TestUser, TestUser];

  sessions.earlyToday = await placeSession(stack, { trainerId: trainer.id, startsAt: studioTime(ZONE, 0, '00:30'), capacity: 1 });
  sessions.lateToday = await placeSession(stack, { trainerId: trainer.id, startsAt: studioTime(ZONE, 0, '23:30'), capacity: 6 });
  sessions.cancelledToday = await placeSession(stack, {
    trainerId: otherTrainer.id,
    startsAt: studioTime(ZONE, 0, '12:00'),
    capacity: 2,
    status: 'cancelled',
  });
  sessions.lateYesterday = await placeSession(stack, { trainerId: otherTrainer.id, startsAt: studioTime(ZONE, -1, '23:30') });
  sessions.earlyTomorrow = await placeSession(stack, { trainerId: trainer.id, startsAt: studioTime(ZONE, 1, '00:30') });
  sessions.nextWeek = await placeSession(stack, { trainerId: trainer.id, startsAt: studioTime(ZONE, 8, '09:00'), capacity: 4 });
  const monday = DateTime.now().setZone(ZONE).startOf('week');
  inThisWeek = (at) => at >= monday.toJSDate() && at < monday.plus({ weeks: 1 }).toJSDate();

  // Ten sessions for $700 ($70 each): one used, one held, three refunded, five left.
  const tenPack = await createPackage(stack.orm, { sessions: 10, priceCents: 70_000, name: 'Ten pack' });
  const bought = await paidPurchase(client, tenPack);
  await book(stack, admin, client.id, sessions.earlyToday);
  await book(stack, admin, client.id, sessions.lateToday);
  const done = await stack.app.inject({
    method: 'POST',
    url: `/api/sessions/${sessions.earlyToday}/complete`,
    headers: trainer.headers,
    payload: {},
  });
  expect(done.statusCode, done.body).toBe(202);
  await eventually(async () => {
    const [row] = await query<{ creditState: string }>(
      stack.orm,
      'select credit_state as "creditState" from bookings where session_id = ?',
      [sessions.earlyToday],
    );
    expect(row?.creditState).toBe('consumed');
  });
  await deliver(stack, chargeRefunded(bought, 21_000));
  await waitFor(
    () => purchaseRow(stack.orm, bought.id),
    (row) => row.refundedSessions === 3,
  );

  // Allocated credits are owed sessions but no money: two clients with three each, one held by a booking.
  for (const gift of [gifted, giftedToo]) {
    await grant(stack, gift.id, 3);
    await book(stack, admin, gift.id, sessions.lateToday);
  }

  // Five for $300, paid 40 days ago: outside the revenue's 30 days, its five credits still owed at $60.
  const fivePack = await createPackage(stack.orm, { sessions: 5, priceCents: 30_000, name: 'Five pack' });
  await paidAt(await paidPurchase(lapsed, fivePack), DateTime.now().minus({ days: 40 }).toJSDate());
  // Two credits whose lot expired a minute ago: no longer owed, even before the expiry entry is written.
  await grant(stack, lapsed.id, 2);
  await query(stack.orm, `update credit_lots set expires_at = now() - interval '1 minute' where client_id = ? and source = 'allocation'`, [
    lapsed.id,
  ]);

  // One-session passes paid a minute either side of the studio's midnight 29 days ago.
  const single = await createPackage(stack.orm, { sessions: 1, priceCents: 5_000, name: 'Drop-in' });
  const thirtyDaysFrom = DateTime.now().setZone(ZONE).startOf('day').minus({ days: 29 });
  await paidAt(await paidPurchase(edgeIn, single), thirtyDaysFrom.plus({ minutes: 1 }).toJSDate());
  await paidAt(await paidPurchase(edgeOut, single), thirtyDaysFrom.minus({ minutes: 1 }).toJSDate());

  // A checkout opened and not paid.
  await checkout(stack, browsing, await createPackage(stack.orm, { sessions: 8, priceCents: 50_000, name: 'Eight pack' }));
}, 120_000);
afterAll(() => stack?.close());

describe('GET /api/studio', () => {
  it("tells every signed-in user the studio's name, time zone and policies", async () => {
    for (const who of [admin, trainer, client]) {
      const response = await stack.app.inject({ url: '/api/studio', headers: who.headers });
      expect(response.statusCode, response.body).toBe(200);
      expect(response.json()).toEqual({ name: 'Sunset Strength', timeZone: ZONE, policies: stack.settings.policies });
    }
    expect(stack.settings.policies.lowBalanceThreshold).toBe(2);
  });
});

describe('GET /api/admin/dashboard', () => {
  it("reads today in the studio's zone: 00:30 and 23:30 are today, yesterday's 23:30 and tomorrow's 00:30 are not", async () => {
    const figures = await dashboard(admin);
    const midnight = DateTime.fromISO(`${studioDate(ZONE)}T00:00`, { zone: ZONE });
    expect(figures.timeZone).toBe(ZONE);
    expect(figures.periods.date).toBe(studioDate(ZONE));
    expect(figures.periods.today).toEqual({ from: midnight.toUTC().toISO(), to: midnight.plus({ days: 1 }).toUTC().toISO() });
    // Its 23:30 falls on the next UTC date: a UTC day would have called it tomorrow.
    expect(studioTime(ZONE, 0, '23:30').toISOString().slice(0, 10)).not.toBe(studioDate(ZONE));
    expect(figures.schedule.map((session: { id: number }) => session.id)).toEqual([
      sessions.earlyToday,
      sessions.cancelledToday,
      sessions.lateToday,
    ]);
    expect(figures.schedule[2]).toMatchObject({ trainerName: 'own Test', bookedCount: 3, capacity: 6, status: 'scheduled' });
    expect(figures.schedule[1]).toMatchObject({ trainerName: 'other Test', status: 'cancelled' });
    // The cancelled session is on the schedule but takes place nowhere: not counted.
    expect(figures.sessionsToday).toEqual({ sessions: 2, booked: 4, capacity: 7 });
  });

  it("fills this week's seats: booked over capacity of the sessions that take place, Monday to Sunday", async () => {
    const figures = await dashboard(admin);
    const edges = [studioTime(ZONE, -1, '23:30'), studioTime(ZONE, 1, '00:30')].filter(inThisWeek).length;
    expect(figures.fillRateThisWeek).toEqual({
      sessions: 2 + edges,
      booked: 4,
      capacity: 7 + edges,
      rate: Math.round((4 / (7 + edges)) * 100) / 100,
    });
  });

  it('counts revenue over the last 30 days as paid minus refunded, from the studio midnight 29 days ago', async () => {
    const figures = await dashboard(admin);
    // The ten pack ($700, $210 refunded) and the drop-in paid just inside; not the five pack nor the drop-in just outside.
    expect(figures.revenueLast30Days).toEqual([
      { currency: 'usd', purchases: 2, paidCents: 75_000, refundedCents: 21_000, netCents: 54_000 },
    ]);
    expect(figures.periods.last30Days.from).toBe(DateTime.now().setZone(ZONE).startOf('day').minus({ days: 29 }).toUTC().toISO());
  });

  it('values outstanding credits at their purchase price per session, allocations at zero, expired lots not at all', async () => {
    const figures = await dashboard(admin);
    // Ten pack: 5 left + 1 held = 6 × $70; five pack: 5 × $60; the two drop-ins: 2 × $50; the gifts: 6 × $0.
    expect(figures.outstandingCredits).toEqual({
      credits: 6 + 5 + 2 + 6,
      paidCredits: 6 + 5 + 2,
      value: [{ currency: 'usd', amountCents: 42_000 + 30_000 + 10_000 }],
    });
    expect(figures.pendingPurchases).toEqual({ count: 1, value: [{ currency: 'usd', amountCents: 50_000 }] });
  });

  it('gives a trainer only their own day and seats: no revenue, liability or purchases', async () => {
    const own = await dashboard(trainer);
    expect(Object.keys(own).sort()).toEqual(['fillRateThisWeek', 'periods', 'schedule', 'sessionsToday', 'timeZone']);
    expect(own.schedule.map((session: { id: number }) => session.id)).toEqual([sessions.earlyToday, sessions.lateToday]);
    expect(own.sessionsToday).toEqual({ sessions: 2, booked: 4, capacity: 7 });
    const edge = inThisWeek(studioTime(ZONE, 1, '00:30')) ? 1 : 0;
    expect(own.fillRateThisWeek).toMatchObject({ sessions: 2 + edge, booked: 4, capacity: 7 + edge });

    const other = await dashboard(otherTrainer);
    expect(other.schedule.map((session: { id: number }) => session.id)).toEqual([sessions.cancelledToday]);
    expect(other.sessionsToday).toEqual({ sessions: 0, booked: 0, capacity: 0 });
    expect(JSON.stringify([own, other])).not.toMatch(/revenue|amountCents|outstanding|pending/i);

    const refused = await stack.app.inject({ url: '/api/admin/dashboard', headers: client.headers });
    expect(refused.statusCode).toBe(403);
  });
});

describe('GET /api/sessions/allocation-health', () => {
  const health = async () => {
    const response = await stack.app.inject({ url: '/api/sessions/allocation-health', headers: admin.headers });
    expect(response.statusCode, response.body).toBe(200);
    return response.json().data;
  };

  it('counts a cached balance that disagrees with its ledger', async () => {
    expect(await health()).toMatchObject({ database: 'ok', temporal: 'ok', clientsWithBalanceDrift: 0 });
    await query(stack.orm, 'update users set available_sessions = available_sessions + 1 where id = ?', [client.id]);
    try {
      expect(await health()).toMatchObject({ database: 'ok', clientsWithBalanceDrift: 1 });
    } finally {
      await query(stack.orm, 'update users set available_sessions = available_sessions - 1 where id = ?', [client.id]);
    }
    await expectLedgerConsistent(stack.orm);
  });

  it('asks the database: a ledger it cannot read within 2 s is reported, not answered "ok"', async () => {
    const database = new URL(stack.settings.databaseUrl!).pathname.slice(1);
    const owner = new pg.Client({ connectionString: urlFor(database) });
    await owner.connect();
    try {
      await owner.query('begin');
      // The drift count reads each client's figures, which the ledger's triggers keep.
      await owner.query('lock table client_figures in access exclusive mode');
      expect(await health()).toMatchObject({
        database: 'unreachable: no answer in 2000 ms',
        temporal: 'ok',
        clientsWithBalanceDrift: null,
      });
    } finally {
      await owner.query('rollback');
      await owner.end();
    }
    expect(await health()).toMatchObject({ database: 'ok', clientsWithBalanceDrift: 0 });
  });
});
