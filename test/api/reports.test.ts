import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemoData } from '../../launcher/seed.js';
import { MOVEMENTS, balances, type BreakageRow, type LiabilityRow, type RollForwardLine, type UsageRow } from '../../model/reports.js';
import { query } from '../../model/transaction.js';
import { allocateExpiring, createSession, createUser, type TestUser } from '../support/actors.js';
import { parseCsv } from '../support/csv.js';
import { eventually } from '../support/eventually.js';
import { expectLedgerConsistent } from '../support/invariants.js';
import { startStack, type TestStack } from '../support/stack.js';
import { chargeRefunded, checkout, completed, createPackage, deliver, settled, type TestPurchase } from '../support/stripe.js';
import { ANY_HOUR_POLICIES, book, placeSession, studioDate } from '../support/studio-day.js';

/**
 * The owner's reports over books written only by the real flows: the demo data, then a
 * scripted month in seconds — purchases through signed webhooks, an allocation that
 * expires, bookings completed, missed, cancelled early and late, refunds, an admin's
 * correction. After each, the roll-forward must add up to the session and to the cent,
 * and its ends must be the liability the lots themselves show.
 */
let stack: TestStack;
let admin: TestUser;
let trainer: TestUser;
let demoClosing: RollForwardLine;

type Money = Array<RollForwardLine & { currency: string }>;
interface RollForwardJson {
  from: string;
  to: string;
  sessions: RollForwardLine;
  money: Money;
}
interface LiabilityJson {
  asOf: string;
  packages: LiabilityRow[];
  sessions: number;
  value: Array<{ currency: string; amountCents: number }>;
}
interface UsageJson {
  trainers: UsageRow[];
  types: UsageRow[];
  breakage: BreakageRow[];
  breakageRate: number | null;
}

async function report<T>(path: string, params: Record<string, string> = {}): Promise<T> {
  const response = await stack.app.inject({ url: `/api/admin/reports/${path}?${new URLSearchParams(params)}`, headers: admin.headers });
  expect(response.statusCode, response.body).toBe(200);
  return response.json() as T;
}

async function reportCsv(path: string, params: Record<string, string>): Promise<Array<Record<string, string>>> {
  const response = await stack.app.inject({ url: `/api/admin/reports/${path}.csv?${new URLSearchParams(params)}`, headers: admin.headers });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
  const [header, ...lines] = parseCsv(response.body);
  return lines.map((cells) => Object.fromEntries(header!.map((column, index) => [column, cells[index]!])));
}

/** What the lots themselves hold now, read from credit_lots and bookings without the ledger: the liability's independent witness. */
async function lotsNow(): Promise<{ sessions: number; cents: number }> {
  const [row] = await query<{ sessions: number; cents: string }>(
    stack.orm,
    `select coalesce(sum(u.n), 0)::int as sessions,
            coalesce(sum(case when u.source = 'allocation' then 0 else floor(p.amount_cents::numeric * u.n / p.sessions) end), 0)::bigint as cents
       from (select l.id, l.source, l.purchase_id,
                    (case when l.expires_at is null or l.expires_at > now() then l.remaining else 0 end)
                    + (select count(*) from bookings b where b.lot_id = l.id and b.credit_state = 'held') as n
               from credit_lots l) u
       left join purchases p on p.id = u.purchase_id`,
  );
  return { sessions: row!.sessions, cents: Number(row!.cents) };
}

const usd = (money: Money) => money.find((line) => line.currency === 'usd')!;

function expectBalanced(report: RollForwardJson) {
  expect(balances(report.sessions), `sessions: ${JSON.stringify(report.sessions)}`).toBe(true);
  for (const line of report.money) expect(balances(line), `${line.currency}: ${JSON.stringify(line)}`).toBe(true);
}

function printRollForward(title: string, report: RollForwardJson) {
  const columns = ['opening', ...MOVEMENTS, 'closing'] as const;
  const lines = [
    `${title} (${report.from} → ${report.to})`,
    `  ${'measure'.padEnd(12)}${columns.map((column) => column.padStart(11)).join('')}`,
    `  ${'sessions'.padEnd(12)}${columns.map((column) => String(report.sessions[column]).padStart(11)).join('')}`,
    ...report.money.map(
      (line) => `  ${`${line.currency} cents`.padEnd(12)}${columns.map((column) => String(line[column]).padStart(11)).join('')}`,
    ),
  ];
  console.log(lines.join('\n'));
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function bookingStatus(sessionId: number, clientId: number): Promise<string | undefined> {
  const [row] = await query<{ status: string }>(stack.orm, `select status from bookings where session_id = ? and client_id = ?`, [
    sessionId,
    clientId,
  ]);
  return row?.status;
}

async function sessionAction(sessionId: number, clientId: number, action: 'complete' | 'no-show' | 'cancel', expected: string) {
  const response = await stack.app.inject({
    method: 'POST',
    url: `/api/sessions/${sessionId}/${action}`,
    headers: admin.headers,
    payload: { userId: clientId },
  });
  expect(response.statusCode, response.body).toBeLessThan(300);
  await eventually(async () => expect(await bookingStatus(sessionId, clientId)).toBe(expected), 15_000);
}

async function buy(client: TestUser, packageId: number): Promise<TestPurchase> {
  const purchase = await checkout(stack, client, packageId);
  await deliver(stack, completed(purchase));
  await settled(stack, purchase.id);
  return purchase;
}

async function refund(purchase: TestPurchase, amountRefunded: number) {
  await deliver(stack, chargeRefunded(purchase, amountRefunded, [{ id: `re_${purchase.id}_${amountRefunded}`, amount: amountRefunded }]));
  await settled(stack, purchase.id);
}

beforeAll(async () => {
  // Bookings into sessions from earlier today, and no auto-completion while the test runs.
  stack = await startStack(ANY_HOUR_POLICIES);
  // The demo data first, on the empty database, as `npm start` seeds it.
  expect(await seedDemoData(stack.orm, { email: 'owner@studio.test', password: 'demo-password-long' })).toBe(true);
  admin = await createUser(stack, 'admin');
  trainer = await createUser(stack, 'trainer', 'Tess');
});
afterAll(() => stack?.close());

describe('reports', () => {
  it('the roll-forward of the demo data adds up, and its closing is what the lots hold', async () => {
    const rollForward = await report<RollForwardJson>('roll-forward', { from: '2020-01-01' });
    printRollForward('Roll-forward on the demo data', rollForward);
    expectBalanced(rollForward);
    const lots = await lotsNow();
    expect(rollForward.sessions).toMatchObject({ opening: 0, allocated: lots.sessions, closing: lots.sessions });
    expect(lots.sessions).toBe(71);
    // The demo's credits were all allocated: they are owed in sessions and worth nothing in money.
    expect(rollForward.money.map((line) => line.currency)).toEqual(['usd']);
    expect(usd(rollForward.money).closing).toBe(0);
    const liability = await report<LiabilityJson>('liability');
    expect(liability.sessions).toBe(lots.sessions);
    expect(liability.packages).toEqual([
      { packageId: null, packageName: 'Allocated by the studio', currency: null, lots: 10, sessions: 71, valueCents: 0 },
    ]);
    demoClosing = rollForward.sessions;
  });

  it('a scripted month adds up in sessions and cents, and the liability at a past instant is what the ledger said then', async () => {
    const start = new Date();
    await pause(5);
    const [three, ten] = [
      // 250.00 for 3: a third of a session's price is no whole cent, so the lot's value must still come to 25,000 exactly.
      await createPackage(stack.orm, { sessions: 3, priceCents: 25_000, validityDays: null, name: 'Three for 250' }),
      await createPackage(stack.orm, { sessions: 10, priceCents: 70_000, validityDays: 180, name: 'Ten pack' }),
    ];
    const [ann, bob, cat] = [
      await createUser(stack, 'client', 'Ann'),
      await createUser(stack, 'client', 'Bob'),
      await createUser(stack, 'client', 'Cat'),
    ];
    await buy(ann, three);
    const bobTen = await buy(bob, ten);
    const catThree = await buy(cat, three);
    // An allocation that expires in seconds, through the allocation workflow (which starts its lot's expiry timer).
    await allocateExpiring(stack, admin, ann.id, 2, new Date(Date.now() + 10_000));
    // Sessions from earlier today (usage counts sessions that took place) and one days ahead, to cancel in time.
    const hoursAgo = (hours: number, capacity = 1) =>
      placeSession(stack, { trainerId: trainer.id, startsAt: new Date(Date.now() - hours * 3_600_000), capacity });
    const completedSession = await hoursAgo(5);
    const missedSession = await hoursAgo(4);
    const lateSession = await hoursAgo(3);
    const groupSession = await hoursAgo(2, 4);
    const earlySession = (await createSession(stack, admin, trainer.id)).id;
    // Ann's booking holds from the earliest-expiring lot: the allocation, worth nothing. A hold changes nothing owed.
    await book(stack, admin, ann.id, completedSession);

    // A moment to remember: what the lots held then.
    await pause(5);
    const midway = new Date();
    await pause(5);
    const thenLots = await lotsNow();
    expect(thenLots).toEqual({ sessions: demoClosing.closing + 3 + 10 + 3 + 2, cents: 25_000 + 70_000 + 25_000 });

    // Bob: a partial refund before using any (5 of 10 sessions: 35,000 of 70,000), then an admin's correction of one.
    await refund(bobTen, 35_000);
    const correction = await stack.app.inject({
      method: 'POST',
      url: '/api/sessions/add-to-user',
      headers: admin.headers,
      payload: { userId: bob.id, sessions: -1, reason: 'double-counted walk-in' },
    });
    expect(correction.statusCode, correction.body).toBe(200);

    // Completed, no-show, late cancel (the session has started), cancel in time; two seats of the group class stay held.
    await sessionAction(completedSession, ann.id, 'complete', 'completed');
    await book(stack, admin, cat.id, missedSession);
    await sessionAction(missedSession, cat.id, 'no-show', 'no_show');
    await book(stack, admin, bob.id, lateSession);
    await sessionAction(lateSession, bob.id, 'cancel', 'late_cancelled');
    await book(stack, admin, cat.id, earlySession);
    await sessionAction(earlySession, cat.id, 'cancel', 'cancelled');
    await book(stack, admin, bob.id, groupSession);
    await book(stack, admin, cat.id, groupSession);

    // Cat's full refund: one of her three was used (the no-show) and one is held by the group booking; one is left to take.
    await refund(catThree, 25_000);

    // The allocation's remaining credit expires through its lot's workflow.
    await eventually(
      async () => {
        const [row] = await query<{ count: number }>(
          stack.orm,
          `select count(*)::int as count from ledger_entries where client_id = ? and kind = 'expire'`,
          [ann.id],
        );
        expect(row!.count).toBe(1);
      },
      20_000,
      200,
    );
    await expectLedgerConsistent(stack.orm);

    const month = await report<RollForwardJson>('roll-forward', {
      from: start.toISOString(),
      to: new Date(Date.now() + 60_000).toISOString(),
    });
    printRollForward('Roll-forward of the scripted month', month);
    expectBalanced(month);
    const now = await lotsNow();
    expect(month.sessions).toEqual({
      opening: demoClosing.closing,
      sold: 16,
      allocated: 2,
      restored: 0,
      used: 1,
      // Cat's no-show and Bob's late cancel.
      forfeited: 2,
      // Ann's allocation: two granted, one used, one expired.
      expired: 1,
      // Bob's five and the one Cat had left (the other two were used or held: owed, not taken).
      refunded: 6,
      removed: 1,
      closing: now.sessions,
    });
    // Each movement is worth the change it makes to its lot's value, floor(amount × n / sessions):
    // Bob's ten (70,000): refund 10→5 = 35,000, correction 5→4 = 7,000, late cancel 4→3 = 7,000;
    // Cat's three (25,000): no-show 3→2 = 25,000 − 16,666 = 8,334, refund 2→1 = 16,666 − 8,333 = 8,333.
    expect(usd(month.money)).toEqual({
      currency: 'usd',
      opening: 0,
      sold: 120_000,
      allocated: 0,
      restored: 0,
      used: 0,
      forfeited: 7_000 + 8_334,
      expired: 0,
      refunded: 35_000 + 8_333,
      removed: 7_000,
      closing: now.cents,
    });
    // Ann's untouched three, Bob's three left of ten, Cat's one held.
    expect(now.cents).toBe(25_000 + 21_000 + 8_333);

    // The past, asked now: the liability at `midway` is what the lots held then, and the period splits there exactly.
    const past = await report<LiabilityJson>('liability', { asOf: midway.toISOString() });
    expect({ sessions: past.sessions, cents: past.value.find((line) => line.currency === 'usd')!.amountCents }).toEqual(thenLots);
    expect(past.packages.map((row) => [row.packageName, row.sessions, row.valueCents])).toEqual([
      ['Allocated by the studio', demoClosing.closing + 2, 0],
      ['Three for 250', 6, 50_000],
      ['Ten pack', 10, 70_000],
    ]);
    const before = await report<RollForwardJson>('roll-forward', { from: start.toISOString(), to: midway.toISOString() });
    const after = await report<RollForwardJson>('roll-forward', { from: midway.toISOString(), to: month.to });
    expectBalanced(before);
    expectBalanced(after);
    expect(before.sessions.closing).toBe(after.sessions.opening);
    expect(usd(before.money).closing).toBe(usd(after.money).opening);
    expect(usd(after.money).opening).toBe(thenLots.cents);
    expect(after.sessions.closing).toBe(month.sessions.closing);
    for (const movement of MOVEMENTS) {
      expect(before.sessions[movement] + after.sessions[movement], movement).toBe(month.sessions[movement]);
      expect(usd(before.money)[movement] + usd(after.money)[movement], movement).toBe(usd(month.money)[movement]);
    }
    const nowLiability = await report<LiabilityJson>('liability');
    expect(nowLiability.sessions).toBe(now.sessions);
    expect(nowLiability.value).toEqual([{ currency: 'usd', amountCents: now.cents }]);

    // Usage of the sessions that took place (the one cancelled in time is days ahead); revenue is what the consumed credits were worth.
    const usage = await report<UsageJson>('usage', { from: new Date(start.getTime() - 6 * 3_600_000).toISOString(), to: month.to });
    const tess = usage.trainers.find((row) => row.key === String(trainer.id))!;
    expect(tess).toEqual({
      key: String(trainer.id),
      name: 'Tess Test',
      sessions: 4,
      seats: 7,
      // Completed, no-show and the two group seats keep theirs; the late cancel freed its seat.
      seatsFilled: 4,
      fillRate: 4 / 7,
      bookings: 5,
      completed: 1,
      noShows: 1,
      lateCancels: 1,
      cancels: 0,
      noShowRate: 1 / 2,
      lateCancelRate: 1 / 5,
      creditsUsed: 3,
      revenue: [{ currency: 'usd', amountCents: usd(month.money).used + usd(month.money).forfeited }],
    });
    expect(usage.types.map((row) => [row.key, row.name, row.sessions, row.seats, row.seatsFilled, row.creditsUsed])).toEqual([
      ['personal', 'Personal training', 3, 3, 2, 3],
      ['group', 'Small group', 1, 4, 2, 0],
    ]);
    expect(usage.breakage).toEqual([
      { packageId: null, packageName: 'Allocated by the studio', currency: null, sessions: 1, valueCents: 0 },
    ]);
    expect(usage.breakageRate).toBe(1 / 4);
  }, 180_000);

  it('every report as CSV is the report the API answers', async () => {
    const period = { from: '2020-01-01', to: studioDate(stack.settings.studio.timeZone) };
    const rollForward = await report<RollForwardJson>('roll-forward', period);
    const rollForwardLines = await reportCsv('roll-forward', period);
    const asLine = (line: Record<string, string>) =>
      Object.fromEntries(['opening', ...MOVEMENTS, 'closing'].map((column) => [column, Number(line[column])]));
    expect(rollForwardLines.map((line) => [line.measure, line.currency])).toEqual([
      ['sessions', ''],
      ...rollForward.money.map((line) => ['cents', line.currency]),
    ]);
    expect(asLine(rollForwardLines[0]!)).toEqual(rollForward.sessions);
    rollForward.money.forEach(({ currency, ...line }, index) => expect(asLine(rollForwardLines[index + 1]!), currency).toEqual(line));
    expect(rollForwardLines[0]!.from).toBe(rollForward.from);

    const liability = await report<LiabilityJson>('liability', { asOf: period.to });
    const liabilityLines = await reportCsv('liability', { asOf: period.to });
    expect(
      liabilityLines.map((line) => ({
        packageId: line.packageId === '' ? null : Number(line.packageId),
        packageName: line.packageName,
        currency: line.currency === '' ? null : line.currency,
        lots: Number(line.lots),
        sessions: Number(line.sessions),
        valueCents: Number(line.valueCents),
      })),
    ).toEqual(liability.packages);

    const usage = await report<UsageJson>('usage', period);
    const usageLines = await reportCsv('usage', period);
    const number = (text: string) => (text === '' ? null : Number(text));
    const rowsOf = (section: string) =>
      usageLines
        .filter((line) => line.section === section)
        .map((line) => ({
          key: line.key,
          name: line.name,
          sessions: Number(line.sessions),
          seats: Number(line.seats),
          seatsFilled: Number(line.seatsFilled),
          fillRate: number(line.fillRate!),
          bookings: Number(line.bookings),
          completed: Number(line.completed),
          noShows: Number(line.noShows),
          lateCancels: Number(line.lateCancels),
          cancels: Number(line.cancels),
          noShowRate: number(line.noShowRate!),
          lateCancelRate: number(line.lateCancelRate!),
          creditsUsed: Number(line.creditsUsed),
          revenue: line.currency === '' ? [] : [{ currency: line.currency!, amountCents: Number(line.valueCents) }],
        }));
    expect(rowsOf('trainer')).toEqual(usage.trainers);
    expect(rowsOf('type')).toEqual(usage.types);
    expect(
      usageLines
        .filter((line) => line.section === 'breakage')
        .map((line) => ({
          packageId: line.key === 'allocated' ? null : Number(line.key),
          packageName: line.name,
          currency: line.currency === '' ? null : line.currency,
          sessions: Number(line.sessions),
          valueCents: Number(line.valueCents),
        })),
    ).toEqual(usage.breakage);
  });

  it('reads dates on the studio calendar and refuses bad ones with a message', async () => {
    const today = studioDate(stack.settings.studio.timeZone);
    const day = await report<RollForwardJson>('roll-forward', { from: today, to: today });
    const [midnight] = await query<{ dayAt: Date }>(stack.orm, `select (?::date)::timestamp at time zone ? as "dayAt"`, [
      today,
      stack.settings.studio.timeZone,
    ]);
    expect(day.from).toBe(midnight!.dayAt.toISOString());
    // A day not over yet is reported up to now.
    expect(Date.parse(day.to)).toBeLessThanOrEqual(Date.now());
    for (const [path, params, code] of [
      ['roll-forward', { from: '2026-02-30' }, 'INVALID_DATE'],
      ['usage', { from: '2026-11-30', to: '2026-11-01' }, 'INVALID_PERIOD'],
      ['liability', { asOf: '2026-13-01' }, 'INVALID_DATE'],
      ['liability', { asOf: 'yesterday' }, 'VALIDATION_FAILED'],
      ['roll-forward.csv', { to: '2026-11-31T00:00:00Z' }, 'INVALID_DATE'],
    ] as const) {
      const response = await stack.app.inject({ url: `/api/admin/reports/${path}?${new URLSearchParams(params)}`, headers: admin.headers });
      expect(response.statusCode, `${path} ${JSON.stringify(params)}`).toBe(400);
      expect(response.json()).toMatchObject({ code });
      expect(response.json().message).toMatch(/\w/);
    }
  });
});
