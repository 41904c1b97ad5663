import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wakeSender } from '../../model/notifications.js';
import { query } from '../../model/transaction.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { messagesTo, type ArrivedMessage } from '../support/mailpit.js';
import { startStack, type TestStack } from '../support/stack.js';
import { chargeRefunded, checkout, completed, createPackage, deliver, purchaseRow, settled, waitFor } from '../support/stripe.js';

/**
 * Every kind of message, delivered by the outbox's drainer through the run's real Mailpit
 * and read back from its HTTP API: once each, in the studio's name and time zone.
 */
let stack: TestStack;
let admin: TestUser;
let trainer: TestUser;
const HOUR = 3_600_000;
const STUDIO = 'Harbour Strength';

beforeAll(async () => {
  // Tokyo is UTC+9 all year, so a 10:00 in a message can only come from the studio's zone; reminders 3 s before the start.
  stack = await startStack({ STUDIO_NAME: STUDIO, STUDIO_TIME_ZONE: 'Asia/Tokyo', POLICY_REMINDER_BEFORE_MINUTES: '0.05' });
  admin = await createUser(stack, 'admin');
  trainer = await createUser(stack, 'trainer', 'Tess');
});
afterAll(() => stack?.close());

/** 01:00 UTC on a day ahead: 10:00 in Tokyo. */
function tenInTokyo(daysAhead: number): Date {
  const day = new Date(Date.now() + daysAhead * 24 * HOUR);
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 1, 0));
}
const TEN_TOKYO = /at 10:00 \(Asia\/Tokyo\)/;

async function client(name: string, credits = 0): Promise<TestUser> {
  const user = await createUser(stack, 'client', name);
  if (credits > 0) await grant(stack, user.id, credits);
  return user;
}

async function book(who: TestUser, sessionId: number) {
  const response = await stack.app.inject({
    method: 'POST',
    url: `/api/sessions/book/${who.id}`,
    headers: who.headers,
    payload: { sessionId },
  });
  expect(response.statusCode, response.body).toBe(200);
}

async function cancel(who: TestUser, sessionId: number) {
  const response = await stack.app.inject({ method: 'POST', url: `/api/sessions/${sessionId}/cancel`, headers: who.headers, payload: {} });
  expect(response.statusCode, response.body).toBe(200);
}

async function outbox(clientId: number) {
  return query<{ kind: string; state: string; attempts: number; lastError: string | null }>(
    stack.orm,
    `select kind, state, attempts, last_error as "lastError" from notifications where user_id = ? order by id`,
    [clientId],
  );
}

/** Waits until the outbox has nothing pending for this client, then reads the inbox. */
async function inboxOnceDrained(who: TestUser, count: number, timeoutMs = 15_000): Promise<ArrivedMessage[]> {
  await eventually(async () => {
    expect((await outbox(who.id)).filter((row) => row.state === 'pending')).toEqual([]);
    expect(await messagesTo(who.email)).toHaveLength(count);
  }, timeoutMs);
  return messagesTo(who.email);
}

function expectLetter(message: ArrivedMessage, subject: RegExp, ...body: Array<string | RegExp>) {
  expect(message.subject).toMatch(subject);
  expect(message.subject.endsWith(` · ${STUDIO}`)).toBe(true);
  expect(message.html).toContain(STUDIO);
  for (const part of body) {
    if (typeof part === 'string') expect(message.text).toContain(part);
    else expect(message.text).toMatch(part);
  }
}

describe('booking messages', () => {
  it('a booking sends one confirmation, its Message-ID the outbox key, the time in the studio zone', async () => {
    const cleo = await client('Cleo', 5);
    const session = await createSession(stack, admin, trainer.id, { startsAt: tenInTokyo(3) });
    await book(cleo, session.id);
    const [message, ...more] = await inboxOnceDrained(cleo, 1);
    expect(more).toEqual([]);
    expectLetter(message!, /^Booked: \w+, \d+ \w+ \d{4} at 10:00 \(Asia\/Tokyo\)/, 'Hi Cleo,', 'Tess Test', 'you have 4 credits available');
    expect(message!.html).toContain('<h2 style="margin: 0 0 1em">Harbour Strength</h2>');
    const [row] = await query<{ key: string }>(stack.orm, `select idempotency_key as key from notifications where user_id = ?`, [cleo.id]);
    expect(row!.key).toBe(`booking:${await bookingId(cleo.id)}:booked`);
    expect(message!.messageId).toBe(`${encodeURIComponent(row!.key)}@studio.test`);
    expect(message!.headers['X-Studio-Notification']).toEqual(['booking.booked']);
    expect(await outbox(cleo.id)).toEqual([{ kind: 'booking.booked', state: 'sent', attempts: 1, lastError: null }]);
  });

  it('a cancel in time says the credit came back; a late one says it is forfeited', async () => {
    const dan = await client('Dan', 5);
    const early = await createSession(stack, admin, trainer.id, { startsAt: tenInTokyo(4) });
    const late = await createSession(stack, admin, trainer.id, { startsAt: new Date(Date.now() + 2 * HOUR) });
    await book(dan, early.id);
    await book(dan, late.id);
    await cancel(dan, early.id);
    await cancel(dan, late.id);
    const messages = await inboxOnceDrained(dan, 4);
    const cancels = messages.filter((message) => message.subject.startsWith('Cancelled:'));
    expect(cancels).toHaveLength(2);
    const inTime = cancels.find((message) => TEN_TOKYO.test(message.subject))!;
    expectLetter(inTime, /^Cancelled: /, 'Its credit has been returned to you');
    const forfeited = cancels.find((message) => message !== inTime)!;
    expectLetter(forfeited, /^Cancelled: /, 'less than 1 day before the start, so its credit is forfeited');
  });

  it('the reminder arrives before the start, once', async () => {
    const eve = await client('Eve', 5);
    const session = await createSession(stack, admin, trainer.id, { startsAt: new Date(Date.now() + 6_000) });
    await book(eve, session.id);
    const messages = await inboxOnceDrained(eve, 2, 20_000);
    const reminder = messages.find((message) => message.subject.startsWith('Reminder:'))!;
    expectLetter(reminder, /^Reminder: .*\(Asia\/Tokyo\)/, 'A reminder of your session with Tess Test', 'email preferences');
    const [arrived] = await query<{ sentAt: Date }>(
      stack.orm,
      `select sent_at as "sentAt" from notifications where user_id = ? and kind = 'booking.reminder'`,
      [eve.id],
    );
    expect(arrived!.sentAt.getTime()).toBeLessThan(new Date(session.startsAt).getTime());
  });

  it('a reminder whose booking was cancelled before it went out is skipped, not sent', async () => {
    const lea = await client('Lea', 5);
    const session = await createSession(stack, admin, trainer.id, { startsAt: tenInTokyo(8) });
    await book(lea, session.id);
    await cancel(lea, session.id);
    const id = await bookingId(lea.id);
    // The reminder's timer wrote it just before the cancel committed; the drainer reaches it after.
    await query(
      stack.orm,
      `insert into notifications (user_id, kind, payload, idempotency_key) values (?, 'booking.reminder', ?::jsonb, ?)`,
      [lea.id, JSON.stringify({ bookingId: id, startsAt: session.startsAt }), `reminder:booking:${id}:${session.startsAt}`],
    );
    await wakeSender(stack.orm);
    const messages = await inboxOnceDrained(lea, 2);
    expect(messages.map((message) => message.subject.split(':')[0])).toEqual(['Booked', 'Cancelled']);
    expect((await outbox(lea.id))[2]).toEqual({
      kind: 'booking.reminder',
      state: 'skipped',
      attempts: 1,
      lastError: 'the booking was cancelled before its reminder went out',
    });
  });

  it('the booking that takes a client down to the low-balance threshold nudges them, once', async () => {
    const finn = await client('Finn', 4);
    for (const daysAhead of [5, 6, 7])
      await book(finn, (await createSession(stack, admin, trainer.id, { startsAt: tenInTokyo(daysAhead) })).id);
    // 4 → 3 → 2 (crosses the threshold of 2) → 1: one nudge, from the second booking.
    const messages = await inboxOnceDrained(finn, 4);
    const nudges = messages.filter((message) => message.subject.startsWith('You have'));
    expect(nudges).toHaveLength(1);
    expectLetter(nudges[0]!, /^You have 2 credits left/, 'Buy a package');
  });
});

describe('credit and purchase messages', () => {
  it('an expiry notice written to the outbox names the credits and the day, in the studio zone', async () => {
    const gus = await client('Gus');
    const expiresAt = tenInTokyo(7);
    await grant(stack, gus.id, 3, expiresAt);
    const [lot] = await query<{ id: number }>(stack.orm, `select id from credit_lots where client_id = ?`, [gus.id]);
    // The shape credit expiry writes: the lot, keyed once per lot.
    await query(
      stack.orm,
      `insert into notifications (user_id, kind, payload, idempotency_key) values (?, 'credits.expiring', ?::jsonb, ?)`,
      [gus.id, JSON.stringify({ lotId: lot!.id, expiresAt: expiresAt.toISOString() }), `expiry-notice:lot:${lot!.id}`],
    );
    await wakeSender(stack.orm);
    const [message] = await inboxOnceDrained(gus, 1);
    expectLetter(message!, /^3 credits expire on \d+ \w+ \d{4}/, TEN_TOKYO, 'Book a session before then');
  });

  it('a purchase sends its receipt and a refund its own message, once each however often Stripe repeats', async () => {
    const pack = await createPackage(stack.orm, { sessions: 10, priceCents: 70_000, validityDays: 180 });
    const hana = await client('Hana');
    const purchase = await checkout(stack, hana, pack);
    await deliver(stack, completed(purchase));
    await deliver(stack, completed(purchase));
    await waitFor(
      () => purchaseRow(stack.orm, purchase.id),
      (row) => row.status === 'paid',
    );
    const refund = chargeRefunded(purchase, 21_000, [{ id: 're_mail', amount: 21_000 }]);
    await deliver(stack, refund);
    await deliver(stack, refund);
    await settled(stack, purchase.id);
    const messages = await inboxOnceDrained(hana, 2);
    expectLetter(messages[0]!, /^Receipt: .*\$700\.00/, '$700.00 for 10 credits', /until \w+, \d+ \w+ \d{4} at \d\d:\d\d \(Asia\/Tokyo\)/);
    expectLetter(
      messages[1]!,
      /^Refund: \$210\.00/,
      'We have refunded $210.00 of the $700.00',
      '3 credits of the package',
      'you have 7 credits available',
    );
  });
});

describe('preferences', () => {
  it('a client who opts out of reminders gets no reminder (skipped, not sent) and still every receipt', async () => {
    const ida = await client('Ida', 5);
    const off = await stack.app.inject({
      method: 'PATCH',
      url: '/api/me/preferences',
      headers: ida.headers,
      payload: { reminders: false },
    });
    expect(off.statusCode, off.body).toBe(200);
    expect(off.json()).toEqual({ reminders: false, nudges: true });
    const read = await stack.app.inject({ method: 'GET', url: '/api/me/preferences', headers: ida.headers });
    expect(read.json()).toEqual({ reminders: false, nudges: true });

    const session = await createSession(stack, admin, (await createUser(stack, 'trainer')).id, { startsAt: new Date(Date.now() + 5_000) });
    await book(ida, session.id);
    await eventually(async () => {
      expect(await outbox(ida.id)).toEqual([
        { kind: 'booking.booked', state: 'sent', attempts: 1, lastError: null },
        { kind: 'booking.reminder', state: 'skipped', attempts: 1, lastError: 'the client opted out of reminders' },
      ]);
    }, 20_000);
    const messages = await messagesTo(ida.email);
    expect(messages.map((message) => message.subject.split(':')[0])).toEqual(['Booked']);
  });

  it('refuses anything but booleans for the two preferences', async () => {
    const jo = await client('Jo');
    for (const payload of [{ reminders: 'no' }, { receipts: false }, { nudges: 0 }]) {
      const response = await stack.app.inject({ method: 'PATCH', url: '/api/me/preferences', headers: jo.headers, payload });
      expect(response.statusCode, JSON.stringify(payload)).toBe(400);
      expect(response.json().message).toBeTruthy();
    }
  });
});

describe('the console', () => {
  it("lists a client's messages with their delivery state for admins", async () => {
    const kit = await client('Kit', 5);
    await stack.app.inject({ method: 'PATCH', url: '/api/me/preferences', headers: kit.headers, payload: { reminders: false } });
    const session = await createSession(stack, admin, (await createUser(stack, 'trainer')).id, { startsAt: new Date(Date.now() + 5_000) });
    await book(kit, session.id);
    await eventually(async () => expect((await outbox(kit.id)).map((row) => row.state)).toEqual(['sent', 'skipped']), 20_000);
    const response = await stack.app.inject({
      method: 'GET',
      url: `/api/admin/notifications?filter=${encodeURIComponent(JSON.stringify({ clientId: kit.id }))}&sort=["id","DESC"]&range=[0,9]`,
      headers: admin.headers,
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.headers['content-range']).toBe('notifications 0-1/2');
    expect(response.json()).toMatchObject([
      { clientId: kit.id, kind: 'booking.reminder', category: 'reminder', state: 'skipped', subject: null },
      {
        clientId: kit.id,
        kind: 'booking.booked',
        category: 'receipt',
        state: 'sent',
        attempts: 1,
        subject: expect.stringMatching(/^Booked: /),
      },
    ]);
  });
});

async function bookingId(clientId: number): Promise<number> {
  const [row] = await query<{ id: number }>(stack.orm, `select id from bookings where client_id = ? order by id desc limit 1`, [clientId]);
  return row!.id;
}
