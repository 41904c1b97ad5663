import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { waitlistWorkflowId } from '../../workflows/definitions.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { balanceOf, expectLedgerConsistent } from '../support/invariants.js';
import { messagesTo } from '../support/mailpit.js';
import { startStack, type TestStack } from '../support/stack.js';

/**
 * The waitlist of a full session, against the real stack: seats freed by cancels, a larger
 * capacity or a booking that gave its seat back are offered to waiting clients by the
 * session's one waitlist workflow, through book-to-deduct, and the clients hear of it in
 * the run's Mailpit.
 */
let stack: TestStack;
let admin: TestUser;
let trainer: TestUser;
const CUTOFF_MINUTES = 0.1;
const STUDIO = 'Harbour Strength';
/** Each promotion is a few workflow tasks; on a loaded 2-core machine one task has been seen to take 2 s. */
const PROMOTED_WITHIN_MS = 30_000;

beforeAll(async () => {
  // A 6 s cutoff, so a session that starts in seconds shows the cutoff's rule; Tokyo so the emails' times can only be the studio's.
  stack = await startStack({
    POLICY_WAITLIST_CUTOFF_MINUTES: String(CUTOFF_MINUTES),
    STUDIO_NAME: STUDIO,
    STUDIO_TIME_ZONE: 'Asia/Tokyo',
  });
  admin = await createUser(stack, 'admin');
  trainer = await createUser(stack, 'trainer', 'Tess');
});
afterAll(() => stack?.close());

async function client(name: string, credits: number): Promise<TestUser> {
  const user = await createUser(stack, 'client', name);
  if (credits > 0) await grant(stack, user.id, credits);
  return user;
}

function book(who: TestUser, sessionId: number) {
  return stack.app.inject({ method: 'POST', url: `/api/sessions/book/${who.id}`, headers: who.headers, payload: { sessionId } });
}

async function booked(who: TestUser, sessionId: number): Promise<void> {
  const response = await book(who, sessionId);
  expect(response.statusCode, response.body).toBe(200);
}

async function cancel(who: TestUser, sessionId: number): Promise<void> {
  const response = await stack.app.inject({ method: 'POST', url: `/api/sessions/${sessionId}/cancel`, headers: who.headers, payload: {} });
  expect(response.statusCode, response.body).toBe(200);
}

function join(who: TestUser, sessionId: number, as: TestUser = who) {
  return stack.app.inject({
    method: 'POST',
    url: `/api/sessions/${sessionId}/waitlist`,
    headers: as.headers,
    payload: as === who ? {} : { userId: who.id },
  });
}

async function joined(who: TestUser, sessionId: number): Promise<{ id: number; position: number }> {
  const response = await join(who, sessionId);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

/** A full session: its seats taken by fresh funded clients, who are answered so their seats can be freed. */
async function fullSession(capacity: number, startsAt?: Date): Promise<{ id: number; holders: TestUser[] }> {
  // A session that starts in seconds gets a trainer of its own, so it overlaps no other.
  const runner = startsAt ? await createUser(stack, 'trainer', 'Sam') : trainer;
  const session = await createSession(stack, admin, runner.id, {
    capacity,
    ...(startsAt ? { startsAt, durationMinutes: 5 } : {}),
  });
  const holders: TestUser[] = [];
  for (let i = 0; i < capacity; i += 1) {
    const holder = await client(`Holder${i}`, 1);
    await booked(holder, session.id);
    holders.push(holder);
  }
  return { id: session.id, holders };
}

async function entries(sessionId: number) {
  return query<{ clientId: number; state: string; bookingId: number | null; closeReason: string | null }>(
    stack.orm,
    `select client_id as "clientId", state, booking_id as "bookingId", close_reason as "closeReason"
       from waitlist_entries where session_id = ? order by id`,
    [sessionId],
  );
}

async function liveBookings(sessionId: number) {
  return query<{ clientId: number; workflowId: string; creditState: string }>(
    stack.orm,
    `select client_id as "clientId", workflow_id as "workflowId", credit_state as "creditState"
       from bookings where session_id = ? and status in ('scheduled', 'confirmed') order by id`,
    [sessionId],
  );
}

async function seats(sessionId: number) {
  const [row] = await query<{ bookedCount: number; capacity: number }>(
    stack.orm,
    `select booked_count as "bookedCount", capacity from training_sessions where id = ?`,
    [sessionId],
  );
  return row!;
}

async function outboxKinds(clientId: number): Promise<string[]> {
  const rows = await query<{ kind: string; state: string }>(
    stack.orm,
    `select kind, state from notifications where user_id = ? order by id`,
    [clientId],
  );
  return rows.map((row) => `${row.kind}:${row.state}`);
}

describe('joining and leaving', () => {
  it('a full session takes entries in order; a free seat, a booked client or a session too close to its start refuse them', async () => {
    const session = await fullSession(1);
    const ann = await client('Ann', 1);
    const ben = await client('Ben', 0);
    expect((await joined(ann, session.id)).position).toBe(1);
    expect((await joined(ben, session.id)).position).toBe(2);
    // A repeat answers the place already held.
    const again = await join(ann, session.id);
    expect(again.statusCode).toBe(200);
    expect(again.json()).toMatchObject({ state: 'waiting', position: 1, clientName: 'Ann Test' });

    const holder = await join(session.holders[0]!, session.id);
    expect(holder.statusCode).toBe(409);
    expect(holder.json()).toEqual({ message: 'You are already booked into this session.', code: 'ALREADY_BOOKED' });

    const open = await createSession(stack, admin, trainer.id, { capacity: 2 });
    const refused = await join(ann, open.id);
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('SEATS_AVAILABLE');

    const soon = await createSession(stack, admin, (await createUser(stack, 'trainer', 'Sam')).id, {
      startsAt: new Date(Date.now() + 3_000),
      durationMinutes: 5,
    });
    const closed = await join(ann, soon.id);
    expect(closed.statusCode).toBe(409);
    expect(closed.json().code).toBe('WAITLIST_CLOSED');
    expect(await entries(open.id)).toEqual([]);

    // Client and console views of the same waitlist.
    const mine = await stack.app.inject({ method: 'GET', url: `/api/sessions/${session.id}`, headers: ben.headers });
    expect(mine.json().waitlist).toEqual({ waiting: 2, position: 2 });
    const listed = await stack.app.inject({ method: 'GET', url: `/api/sessions/${session.id}/waitlist`, headers: admin.headers });
    expect(listed.json().map((entry: { clientName: string; position: number }) => [entry.clientName, entry.position])).toEqual([
      ['Ann Test', 1],
      ['Ben Test', 2],
    ]);
    const schedule = await stack.app.inject({
      method: 'GET',
      url: `/api/admin/sessions/${session.id}`,
      headers: admin.headers,
    });
    expect(schedule.json().waitlistCount).toBe(2);

    // Ann leaves; Ben moves up. Another client cannot take Ben off; an admin can.
    const left = await stack.app.inject({ method: 'DELETE', url: `/api/sessions/${session.id}/waitlist/${ann.id}`, headers: ann.headers });
    expect(left.statusCode, left.body).toBe(200);
    expect(left.json()).toMatchObject({ state: 'left', position: null, closeReason: 'Left the waitlist.' });
    const mineNow = await stack.app.inject({ method: 'GET', url: '/api/me/waitlist', headers: ben.headers });
    expect(mineNow.json()).toMatchObject([{ sessionId: session.id, state: 'waiting', position: 1 }]);
    const foreign = await stack.app.inject({
      method: 'DELETE',
      url: `/api/sessions/${session.id}/waitlist/${ben.id}`,
      headers: ann.headers,
    });
    expect(foreign.statusCode).toBe(403);
    const removed = await stack.app.inject({
      method: 'DELETE',
      url: `/api/sessions/${session.id}/waitlist/${ben.id}`,
      headers: admin.headers,
    });
    expect(removed.json()).toMatchObject({ state: 'left', closeReason: 'Removed by the studio.' });
    const gone = await stack.app.inject({
      method: 'DELETE',
      url: `/api/sessions/${session.id}/waitlist/${ben.id}`,
      headers: admin.headers,
    });
    expect(gone.statusCode).toBe(404);
    // Nobody waits any more: the session's waitlist workflow has nothing to do and ends.
    await eventually(async () => {
      const description = await stack.temporal.workflow.getHandle(waitlistWorkflowId(session.id)).describe();
      expect(description.status.name).toBe('COMPLETED');
    }, PROMOTED_WITHIN_MS);
  });
});

describe('promotion', () => {
  it('a cancel books the first waiting client, holding their credit only then, and tells them once', async () => {
    const session = await fullSession(1);
    const cleo = await client('Cleo', 2);
    await joined(cleo, session.id);
    expect(await balanceOf(stack.orm, cleo.id)).toEqual({ available: 2, held: 0 });

    await cancel(session.holders[0]!, session.id);
    await eventually(
      async () => expect(await entries(session.id)).toMatchObject([{ clientId: cleo.id, state: 'promoted' }]),
      PROMOTED_WITHIN_MS,
    );
    const [timing] = await query<{ ms: number }>(
      stack.orm,
      `select extract(epoch from (w.closed_at - b.cancelled_at)) * 1000 as ms
         from waitlist_entries w join bookings b on b.session_id = w.session_id and b.status = 'late_cancelled' or b.status = 'cancelled'
        where w.session_id = ? and b.session_id = ?`,
      [session.id, session.id],
    );
    console.log(`waitlist promotion: cancel committed → entry promoted in ${Number(timing!.ms).toFixed(0)} ms`);
    const [booking] = await liveBookings(session.id);
    expect(booking).toEqual({ clientId: cleo.id, workflowId: `booking-${session.id}-${cleo.id}`, creditState: 'held' });
    const [entry] = await entries(session.id);
    expect(entry!.bookingId).not.toBeNull();
    expect(await balanceOf(stack.orm, cleo.id)).toEqual({ available: 1, held: 1 });
    const [hold] = await query<{ actor: string; workflowId: string }>(
      stack.orm,
      `select actor, workflow_id as "workflowId" from ledger_entries where client_id = ? and kind = 'hold'`,
      [cleo.id],
    );
    expect(hold).toEqual({ actor: 'system', workflowId: `booking-${session.id}-${cleo.id}` });

    // One email: the waitlist's, which is the booking's confirmation too.
    await eventually(async () => {
      expect(await outboxKinds(cleo.id)).toEqual(['booking.booked:skipped', 'waitlist.promoted:sent']);
      expect(await messagesTo(cleo.email)).toHaveLength(1);
    }, PROMOTED_WITHIN_MS);
    const [message] = await messagesTo(cleo.email);
    expect(message!.subject).toMatch(/^From the waitlist: booked for \w+, \d+ \w+ \d{4} at \d\d:\d\d \(Asia\/Tokyo\) · Harbour Strength$/);
    expect(message!.text).toContain('a seat freed up and we have booked you from the waitlist for your session with Tess Test');
    expect(message!.text).toContain('you have 1 credit available');
    expect(message!.headers['X-Studio-Notification']).toEqual(['waitlist.promoted']);
    await expectLedgerConsistent(stack.orm);
  });

  it('a client without a credit is skipped and told; the next one with a credit gets the seat', async () => {
    const session = await fullSession(1);
    const dan = await client('Dan', 0);
    const eve = await client('Eve', 1);
    await joined(dan, session.id);
    await joined(eve, session.id);

    await cancel(session.holders[0]!, session.id);
    await eventually(
      async () =>
        expect(await entries(session.id)).toMatchObject([
          { clientId: dan.id, state: 'skipped', closeReason: 'A seat freed up, but the client had no credit to book it with.' },
          { clientId: eve.id, state: 'promoted' },
        ]),
      PROMOTED_WITHIN_MS,
    );
    expect((await liveBookings(session.id)).map((row) => row.clientId)).toEqual([eve.id]);
    expect(await balanceOf(stack.orm, dan.id)).toEqual({ available: 0, held: 0 });
    await eventually(async () => expect(await messagesTo(dan.email)).toHaveLength(1), PROMOTED_WITHIN_MS);
    const [told] = await messagesTo(dan.email);
    expect(told!.subject).toMatch(/^A seat freed up for .* \(Asia\/Tokyo\) · Harbour Strength$/);
    expect(told!.text).toContain('but you had no credit to book it with, so it went to the next person on the waitlist');
    expect(told!.text).toContain('Buy a package');
    expect(await outboxKinds(dan.id)).toEqual(['waitlist.skipped:sent']);
    await expectLedgerConsistent(stack.orm);
  });

  it('a larger capacity is offered to the waitlist too', async () => {
    const session = await fullSession(1);
    const fay = await client('Fay', 1);
    await joined(fay, session.id);
    const resized = await stack.app.inject({
      method: 'PATCH',
      url: `/api/sessions/${session.id}`,
      headers: admin.headers,
      payload: { capacity: 2 },
    });
    expect(resized.statusCode, resized.body).toBe(200);
    await eventually(
      async () => expect(await entries(session.id)).toMatchObject([{ clientId: fay.id, state: 'promoted' }]),
      PROMOTED_WITHIN_MS,
    );
    expect(await seats(session.id)).toEqual({ bookedCount: 2, capacity: 2 });
  });

  it('a booking that gives its seat back (no credit to hold) wakes the waitlist', async () => {
    const session = await createSession(stack, admin, trainer.id, { capacity: 1 });
    const broke = await client('Broke', 0);
    const gus = await client('Gus', 1);
    // The seat is held by a reservation whose hold will fail; Gus joins while the session looks full.
    await query(stack.orm, `update training_sessions set booked_count = 1 where id = ?`, [session.id]);
    await joined(gus, session.id);
    // The waitlist's first look (a local activity's marker in its history) found no free seat; now it waits.
    await eventually(async () => {
      const history = await stack.temporal.workflow.getHandle(waitlistWorkflowId(session.id)).fetchHistory();
      expect(history.events?.some((event) => event.markerRecordedEventAttributes)).toBe(true);
    });
    await query(stack.orm, `update training_sessions set booked_count = 0 where id = ?`, [session.id]);
    const refused = await book(broke, session.id);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe('NO_CREDITS');
    await eventually(
      async () => expect(await entries(session.id)).toMatchObject([{ clientId: gus.id, state: 'promoted' }]),
      PROMOTED_WITHIN_MS,
    );
    expect((await liveBookings(session.id)).map((row) => row.clientId)).toEqual([gus.id]);
  });
});

describe('races', () => {
  it('two seats freed at once and waiters racing to join: each seat goes to one client, nobody twice, never oversold', async () => {
    const session = await fullSession(2);
    const waiters = await Promise.all(['Hal', 'Ida', 'Jon', 'Kim'].map((name) => client(name, 2)));
    // Racing to join: each gets one place, the places are 1..4 with no gap and no repeat.
    const joins = await Promise.all(waiters.map((waiter) => join(waiter, session.id)));
    expect(joins.map((response) => response.statusCode)).toEqual([201, 201, 201, 201]);
    expect(new Set(joins.map((response) => response.json().position))).toEqual(new Set([1, 2, 3, 4]));
    const order = (await entries(session.id)).map((entry) => entry.clientId);
    // A joiner racing themselves answers the one place they hold.
    const repeats = await Promise.all([join(waiters[0]!, session.id), join(waiters[0]!, session.id)]);
    expect(repeats.map((response) => response.statusCode)).toEqual([200, 200]);

    // Both seats freed at once, while a client who is not waiting races to book one directly.
    const outsider = await client('Outsider', 1);
    const started = performance.now();
    const [, , direct] = await Promise.all([
      cancel(session.holders[0]!, session.id),
      cancel(session.holders[1]!, session.id),
      book(outsider, session.id),
    ]);
    expect([200, 409]).toContain(direct.statusCode);
    const seatsForWaitlist = direct.statusCode === 200 ? 1 : 2;
    await eventually(async () => {
      const states = await entries(session.id);
      expect(states.filter((entry) => entry.state === 'promoted')).toHaveLength(seatsForWaitlist);
    }, PROMOTED_WITHIN_MS);
    const promotedMs = performance.now() - started;
    const states = await entries(session.id);
    // First come, first served: the earliest entries got the seats, the others still wait.
    expect(states.map((entry) => entry.clientId)).toEqual(order);
    expect(states.map((entry) => entry.state)).toEqual([
      ...Array(seatsForWaitlist).fill('promoted'),
      ...Array(4 - seatsForWaitlist).fill('waiting'),
    ]);
    console.log(
      `waitlist race: 2 seats freed at once (${direct.statusCode === 200 ? 'one taken by a direct booking' : 'the direct booking refused'}), ${seatsForWaitlist} promoted in ${promotedMs.toFixed(0)} ms`,
    );
    expect(await seats(session.id)).toEqual({ bookedCount: 2, capacity: 2 });
    const live = await liveBookings(session.id);
    expect(live).toHaveLength(2);
    expect(new Set(live.map((row) => row.clientId)).size).toBe(2);
    for (const waiter of waiters) {
      const promotedOnce = states.some((entry) => entry.clientId === waiter.id && entry.state === 'promoted');
      expect(await balanceOf(stack.orm, waiter.id)).toEqual(promotedOnce ? { available: 1, held: 1 } : { available: 2, held: 0 });
    }

    // A later seat goes to the next in line, still once each.
    const firstPromoted = waiters.find((waiter) => waiter.id === order[0])!;
    await cancel(firstPromoted, session.id);
    await eventually(
      async () => expect((await entries(session.id)).filter((entry) => entry.state === 'promoted')).toHaveLength(seatsForWaitlist + 1),
      PROMOTED_WITHIN_MS,
    );
    expect(await seats(session.id)).toEqual({ bookedCount: 2, capacity: 2 });
    const promotions = await query<{ n: number }>(
      stack.orm,
      `select count(*)::int as n from notifications where kind = 'waitlist.promoted' and user_id = any(?::int[])`,
      [`{${waiters.map((waiter) => waiter.id).join(',')}}`],
    );
    expect(promotions[0]!.n).toBe(seatsForWaitlist + 1);
    await expectLedgerConsistent(stack.orm);
  }, 120_000);
});

describe('the cutoff', () => {
  it(`a seat freed within ${CUTOFF_MINUTES * 60} s of the start books nobody, and the waiting entries expire at the cutoff`, async () => {
    const startsAt = new Date(Date.now() + CUTOFF_MINUTES * 60_000 + 15_000);
    const session = await fullSession(1, startsAt);
    const lia = await client('Lia', 1);
    await joined(lia, session.id);
    // The workflow's timer closes the waitlist at the cutoff, with no seat freed.
    await eventually(
      async () =>
        expect(await entries(session.id)).toMatchObject([
          { clientId: lia.id, state: 'expired', closeReason: `No seat freed up more than ${CUTOFF_MINUTES} minutes before the start.` },
        ]),
      PROMOTED_WITHIN_MS,
    );
    expect(Date.now()).toBeGreaterThanOrEqual(startsAt.getTime() - CUTOFF_MINUTES * 60_000);
    await cancel(session.holders[0]!, session.id);
    const late = await join(lia, session.id);
    expect(late.statusCode).toBe(409);
    expect(late.json().code).toBe('WAITLIST_CLOSED');
    // Give the waitlist a moment it would have used: still nobody promoted, and no credit held.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(await liveBookings(session.id)).toEqual([]);
    expect(await balanceOf(stack.orm, lia.id)).toEqual({ available: 1, held: 0 });
  });
});

describe('a cancelled session', () => {
  /** The waitlist's workflow ran to its end (it has nobody left to wait for). */
  const waitlistFinished = (sessionId: number) =>
    eventually(async () => {
      const { status } = await stack.temporal.workflow.getHandle(waitlistWorkflowId(sessionId)).describe();
      expect(status.name).toBe('COMPLETED');
    }, PROMOTED_WITHIN_MS);

  /** Exactly one email to each waiter, the waitlist's cancellation notice, and no credit of theirs touched. */
  async function toldOnce(waiters: TestUser[], credits: Map<number, number>) {
    for (const waiter of waiters) {
      await eventually(async () => expect(await outboxKinds(waiter.id)).toEqual(['waitlist.cancelled:sent']), PROMOTED_WITHIN_MS);
      const messages = await messagesTo(waiter.email);
      expect(messages.map((message) => message.headers['X-Studio-Notification'])).toEqual([['waitlist.cancelled']]);
      expect(messages[0]!.subject).toMatch(
        /^Cancelled: \w+, \d+ \w+ \d{4} at \d\d:\d\d \(Asia\/Tokyo\) \(you were on its waitlist\) · Harbour Strength$/,
      );
      expect(messages[0]!.text).toContain('whose waitlist you were on');
      expect(messages[0]!.text).toContain('no credit of yours was used');
      expect(await balanceOf(stack.orm, waiter.id)).toEqual({ available: credits.get(waiter.id) ?? 0, held: 0 });
    }
  }

  it('ends every waiting entry as cancelled, tells each waiter once (opted out of nudges or not), and the waitlist workflow finishes', async () => {
    const session = await fullSession(2);
    const kai = await client('Kai', 1);
    const lu = await client('Lu', 0);
    const mo = await client('Mo', 2);
    // A notice about the client's own waitlist place is a receipt: no opt-out silences it.
    const optOut = await stack.app.inject({
      method: 'PATCH',
      url: '/api/me/preferences',
      headers: mo.headers,
      payload: { reminders: false, nudges: false },
    });
    expect(optOut.statusCode, optOut.body).toBe(200);
    for (const waiter of [kai, lu, mo]) await joined(waiter, session.id);

    const cancelSession = () =>
      stack.app.inject({
        method: 'PATCH',
        url: `/api/sessions/${session.id}`,
        headers: admin.headers,
        payload: { status: 'cancelled', reason: 'Trainer ill' },
      });
    const cancelled = await cancelSession();
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    expect(await entries(session.id)).toEqual(
      [kai, lu, mo].map((waiter) => ({
        clientId: waiter.id,
        state: 'cancelled',
        bookingId: null,
        closeReason: 'The session was cancelled.',
      })),
    );
    await waitlistFinished(session.id);
    await toldOnce(
      [kai, lu, mo],
      new Map([
        [kai.id, 1],
        [mo.id, 2],
      ]),
    );
    const listed = await stack.app.inject({ method: 'GET', url: '/api/me/waitlist', headers: kai.headers });
    expect(listed.json()).toMatchObject([{ sessionId: session.id, state: 'cancelled', position: null }]);

    // The same cancel again finds nobody waiting: nobody is told twice.
    expect((await cancelSession()).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await toldOnce(
      [kai, lu, mo],
      new Map([
        [kai.id, 1],
        [mo.id, 2],
      ]),
    );
    await expectLedgerConsistent(stack.orm);
  });

  it("a series cancel ends each of its sessions' waitlists the same way", async () => {
    const created = await stack.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: admin.headers,
      payload: {
        trainerId: trainer.id,
        startsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        durationMinutes: 60,
        capacity: 1,
        repeatWeeks: 1,
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const { seriesId, series } = created.json() as { seriesId: string; series: Array<{ id: number; startsAt: string }> };
    const waiters: TestUser[] = [];
    for (const session of series) {
      await booked(await client('Holder', 1), session.id);
      const waiter = await client('Nia', 1);
      await joined(waiter, session.id);
      waiters.push(waiter);
    }
    const cancelled = await stack.app.inject({
      method: 'POST',
      url: `/api/admin/series/${seriesId}/cancel`,
      headers: admin.headers,
      payload: { from: series[0]!.startsAt },
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);
    for (const [index, session] of series.entries()) {
      expect(await entries(session.id)).toMatchObject([{ clientId: waiters[index]!.id, state: 'cancelled' }]);
      await waitlistFinished(session.id);
    }
    await toldOnce(waiters, new Map(waiters.map((waiter) => [waiter.id, 1])));
    await expectLedgerConsistent(stack.orm);
  });
});
