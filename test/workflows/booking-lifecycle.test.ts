import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { balanceOf, expectLedgerConsistent } from '../support/invariants.js';
import { startStack, type TestStack } from '../support/stack.js';
import { eventually } from '../support/eventually.js';
import { bookingWorkflowId } from '../../workflows/definitions.js';

let stack: TestStack;
let admin: TestUser;
let trainer: TestUser;
const HOUR = 3_600_000;
const REMINDER_MINUTES = 10;
const REMINDER_MS = REMINDER_MINUTES * 60_000;

beforeAll(async () => {
  // Reminders 10 minutes ahead: a session starting 10 minutes and a moment from now has its reminder due in that moment.
  stack = await startStack({ POLICY_REMINDER_BEFORE_MINUTES: String(REMINDER_MINUTES) });
  admin = await createUser(stack, 'admin');
  trainer = await createUser(stack, 'trainer');
});
afterAll(() => stack?.close());

async function fundedClient(credits = 1, expiresAt?: Date) {
  const client = await createUser(stack, 'client');
  await grant(stack, client.id, credits, expiresAt);
  return client;
}

async function book(client: TestUser, sessionId: number, by: TestUser = client, extra: Record<string, unknown> = {}) {
  const response = await stack.app.inject({
    method: 'POST',
    url: `/api/sessions/book/${client.id}`,
    headers: by.headers,
    payload: { sessionId, ...extra },
  });
  return response;
}

function cancel(sessionId: number, by: TestUser, payload: Record<string, unknown> = {}, key?: string) {
  return stack.app.inject({
    method: 'POST',
    url: `/api/sessions/${sessionId}/cancel`,
    headers: { ...by.headers, ...(key ? { 'idempotency-key': key } : {}) },
    payload,
  });
}

async function bookingRow(clientId: number, sessionId: number) {
  const [row] = await query<{ status: string; creditState: string; lotId: number | null }>(
    stack.orm,
    `select status, credit_state as "creditState", lot_id as "lotId" from bookings where client_id = ? and session_id = ? order by id desc limit 1`,
    [clientId, sessionId],
  );
  return row;
}

describe('cancelling', () => {
  it('in time returns the credit to the very lot it was held from', async () => {
    const client = await fundedClient(1);
    const session = await createSession(stack, admin, trainer.id, { startsAt: new Date(Date.now() + 72 * HOUR) });
    expect((await book(client, session.id)).statusCode).toBe(200);
    const response = await cancel(session.id, client, { reason: 'travelling' });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ status: 'cancelled', credit: 'released', availableSessions: 1, userId: client.id });
    const entries = await query<{ kind: string; lotId: number }>(
      stack.orm,
      `select kind, lot_id as "lotId" from ledger_entries where client_id = ? order by id`,
      [client.id],
    );
    expect(entries.map((e) => e.kind)).toEqual(['grant', 'hold', 'release']);
    expect(new Set(entries.map((e) => e.lotId)).size).toBe(1);
    expect(await query(stack.orm, 'select status, booked_count from training_sessions where id = ?', [session.id])).toEqual([
      { status: 'available', booked_count: 0 },
    ]);
    await expectLedgerConsistent(stack.orm);
  });

  it('inside the 24 h window forfeits the credit; an admin may waive it; only an admin', async () => {
    const late = await fundedClient(1);
    const soon = await createSession(stack, admin, trainer.id, { startsAt: new Date(Date.now() + 2 * HOUR) });
    expect((await book(late, soon.id)).statusCode).toBe(200);
    const forfeited = await cancel(soon.id, late);
    expect(forfeited.json()).toMatchObject({ status: 'late_cancelled', credit: 'forfeited', availableSessions: 0 });
    expect((await stack.app.inject({ url: '/api/me/summary', headers: late.headers })).json().data).toMatchObject({
      available: 0,
      scheduled: 0,
      completed: 1,
      cancelled: 1,
      total: 1,
    });

    const waived = await fundedClient(1);
    const soon2 = await createSession(stack, admin, trainer.id, { startsAt: new Date(Date.now() + 3 * HOUR) });
    expect((await book(waived, soon2.id)).statusCode).toBe(200);
    const refused = await cancel(soon2.id, waived, { waive: true });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().message).toBe('Only an admin can waive a late-cancel forfeit.');
    const byAdmin = await cancel(soon2.id, admin, { userId: waived.id, waive: true, reason: 'illness' });
    expect(byAdmin.json()).toMatchObject({ status: 'late_cancelled', credit: 'released', availableSessions: 1 });
    await expectLedgerConsistent(stack.orm);
  });

  it('twice with one Idempotency-Key answers the same; a second cancel without one is refused', async () => {
    const client = await fundedClient(1);
    const session = await createSession(stack, admin, trainer.id);
    await book(client, session.id);
    const first = await cancel(session.id, client, {}, `cancel-${client.id}`);
    const again = await cancel(session.id, client, {}, `cancel-${client.id}`);
    expect(first.statusCode).toBe(200);
    // The same request again replays the first answer; without the key it is a new request with nothing to cancel.
    expect(again.statusCode).toBe(200);
    expect(again.body).toBe(first.body);
    expect((await cancel(session.id, client)).statusCode).toBe(404);
    const releases = await query(stack.orm, `select id from ledger_entries where client_id = ? and kind = 'release'`, [client.id]);
    expect(releases).toHaveLength(1);
    await expectLedgerConsistent(stack.orm);
  });

  it("a client cannot cancel someone else's booking", async () => {
    const owner = await fundedClient(1);
    const other = await fundedClient(1);
    const session = await createSession(stack, admin, trainer.id);
    await book(owner, session.id);
    const response = await cancel(session.id, other, { userId: owner.id });
    expect(response.statusCode).toBe(403);
    expect((await bookingRow(owner.id, session.id))?.status).toBe('scheduled');
  });

  it('returns a credit whose lot expired meanwhile as expired, never re-issued with a new expiry', async () => {
    const client = await fundedClient(1, new Date(Date.now() + 3_000));
    const session = await createSession(stack, admin, trainer.id);
    expect((await book(client, session.id)).statusCode).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 3_500));
    const response = await cancel(session.id, client);
    expect(response.json()).toMatchObject({ status: 'cancelled', credit: 'expired', availableSessions: 0 });
    const [last] = await query<{ kind: string; reason: string }>(
      stack.orm,
      `select kind, reason from ledger_entries where client_id = ? order by id desc limit 1`,
      [client.id],
    );
    expect(last!.kind).toBe('expire');
    expect(last!.reason).toContain('expired');
    await expectLedgerConsistent(stack.orm);
  });

  it('an admin cancelling a whole session returns every booked credit', async () => {
    const clients = [await fundedClient(1), await fundedClient(1), await fundedClient(1)];
    const session = await createSession(stack, admin, trainer.id, { capacity: 4, startsAt: new Date(Date.now() + 5 * HOUR) });
    for (const client of clients) expect((await book(client, session.id)).statusCode).toBe(200);
    const response = await stack.app.inject({
      method: 'PATCH',
      url: `/api/sessions/${session.id}`,
      headers: admin.headers,
      payload: { status: 'cancelled', reason: 'trainer ill' },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().status).toBe('cancelled');
    expect(response.json().cancelledBookings.map((c: { credit: string }) => c.credit)).toEqual(['released', 'released', 'released']);
    for (const client of clients) expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 1, held: 0 });
    const bookAgain = await book(await fundedClient(1), session.id);
    expect(bookAgain.statusCode).toBe(400);
    expect(bookAgain.json().code).toBe('NOT_BOOKABLE');
    await expectLedgerConsistent(stack.orm);
  });
});

describe('the booking after it is made', () => {
  it('holds from the lot that expires first', async () => {
    const client = await fundedClient(5);
    await grant(stack, client.id, 1, new Date(Date.now() + 30 * 86_400_000));
    const session = await createSession(stack, admin, trainer.id);
    await book(client, session.id);
    const [held] = await query<{ expiresAt: Date | null }>(
      stack.orm,
      `select l.expires_at as "expiresAt" from bookings b join credit_lots l on l.id = b.lot_id where b.client_id = ?`,
      [client.id],
    );
    expect(held!.expiresAt).not.toBeNull();
  });

  it('confirm then complete consumes the credit; a no-show consumes it too', async () => {
    const attended = await fundedClient(1);
    const absent = await fundedClient(1);
    const session = await createSession(stack, admin, trainer.id, { capacity: 2 });
    await book(attended, session.id);
    await book(absent, session.id);
    const signal = (action: string, userId: number) =>
      stack.app.inject({ method: 'POST', url: `/api/sessions/${session.id}/${action}`, headers: trainer.headers, payload: { userId } });
    expect((await signal('confirm', attended.id)).statusCode).toBe(202);
    await eventually(async () => expect((await bookingRow(attended.id, session.id))?.status).toBe('confirmed'));
    expect((await signal('complete', attended.id)).statusCode).toBe(202);
    expect((await signal('no-show', absent.id)).statusCode).toBe(202);
    await eventually(async () => {
      expect(await bookingRow(attended.id, session.id)).toMatchObject({ status: 'completed', creditState: 'consumed' });
      expect(await bookingRow(absent.id, session.id)).toMatchObject({ status: 'no_show', creditState: 'consumed' });
    });
    for (const client of [attended, absent]) {
      expect(
        (await stack.app.inject({ url: `/api/sessions/user-summary/${client.id}`, headers: admin.headers })).json().data,
      ).toMatchObject({ available: 0, scheduled: 0, completed: 1, total: 1 });
    }
    const otherTrainer = await createUser(stack, 'trainer');
    const foreign = await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/${session.id}/complete`,
      headers: otherTrainer.headers,
      payload: {},
    });
    expect(foreign.statusCode).toBe(403);
    await expectLedgerConsistent(stack.orm);
  });

  it('an admin may book complimentary (recorded, no credit); nobody else may', async () => {
    const client = await createUser(stack, 'client');
    const session = await createSession(stack, admin, trainer.id);
    expect((await book(client, session.id, client, { complimentary: true })).statusCode).toBe(403);
    const response = await book(client, session.id, admin, { complimentary: true });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({ booking: { creditState: 'complimentary' }, availableSessions: 0 });
    const [entry] = await query<{ kind: string; delta: number; actor: string; reason: string }>(
      stack.orm,
      `select kind, delta, actor, reason from ledger_entries where client_id = ?`,
      [client.id],
    );
    expect(entry).toMatchObject({ kind: 'hold', delta: 0, actor: `admin:${admin.id}`, reason: 'Complimentary booking: no credit held' });
    await expectLedgerConsistent(stack.orm);
  });

  it('admins book with a credit like anyone else', async () => {
    const client = await fundedClient(1);
    const session = await createSession(stack, admin, trainer.id);
    expect((await book(client, session.id, admin)).json()).toMatchObject({ booking: { creditState: 'held' }, availableSessions: 0 });
    expect((await book(await createUser(stack, 'client'), (await createSession(stack, admin, trainer.id)).id, admin)).statusCode).toBe(400);
  });

  const reminders = (clientId: number) =>
    query<{ kind: string; createdAt: Date }>(
      stack.orm,
      `select kind, created_at as "createdAt" from notifications where user_id = ? and kind = 'booking.reminder'`,
      [clientId],
    );

  it('writes a reminder to the outbox when its timer fires, for a booking made before that moment', async () => {
    // The booking must exist before the reminder's moment; on a machine too loaded to book within the
    // lead, the same rule is tried again with a longer one rather than judged on a booking made too late.
    for (const leadMs of [400, 1_600, 6_400]) {
      const client = await fundedClient(1);
      const reminderAt = Date.now() + leadMs;
      const session = await createSession(stack, admin, (await createUser(stack, 'trainer')).id, {
        startsAt: new Date(reminderAt + REMINDER_MS),
      });
      expect((await book(client, session.id)).statusCode).toBe(200);
      const [booking] = await query<{ bookedAt: Date }>(stack.orm, `select booked_at as "bookedAt" from bookings where session_id = ?`, [
        session.id,
      ]);
      if (booking!.bookedAt.getTime() >= reminderAt) continue;
      await eventually(async () => expect(await reminders(client.id)).toHaveLength(1), leadMs + 10_000, 25);
      const [reminder] = await reminders(client.id);
      expect(reminder!.createdAt.getTime()).toBeGreaterThanOrEqual(reminderAt);
      console.log(`reminder: lead ${leadMs} ms, written ${reminder!.createdAt.getTime() - reminderAt} ms after its moment`);
      return;
    }
    throw new Error('no booking was made before its reminder moment, even with a 6.4 s lead');
  });

  it('reminds again for the new time after a reschedule, at once when the new moment is already close', async () => {
    const client = await fundedClient(1);
    const session = await createSession(stack, admin, (await createUser(stack, 'trainer')).id, {
      startsAt: new Date(Date.now() + 6 * HOUR),
    });
    expect((await book(client, session.id)).statusCode).toBe(200);
    const newStart = new Date(Date.now() + REMINDER_MS + 300).toISOString();
    const moved = await stack.app.inject({
      method: 'PATCH',
      url: `/api/sessions/${session.id}`,
      headers: admin.headers,
      payload: { startsAt: newStart },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    const [booking] = await query<{ startsAt: Date }>(stack.orm, `select starts_at as "startsAt" from bookings where session_id = ?`, [
      session.id,
    ]);
    expect(booking!.startsAt.toISOString()).toBe(newStart);
    // The booking existed before the new moment, so it is owed whether the signal arrives before it or after.
    await eventually(async () => expect(await reminders(client.id)).toHaveLength(1), 10_000, 25);
  });

  it('sends no reminder for a booking made inside the reminder period', async () => {
    const client = await fundedClient(1);
    const session = await createSession(stack, admin, (await createUser(stack, 'trainer')).id, {
      startsAt: new Date(Date.now() + REMINDER_MS - 60_000),
    });
    expect((await book(client, session.id)).statusCode).toBe(200);
    // The workflow has decided once it waits on its next timer: auto-complete, the only one left.
    await eventually(
      async () => {
        const handle = stack.temporal.workflow.getHandle(bookingWorkflowId(session.id, client.id));
        const timers: number[] = [];
        for (const event of (await handle.fetchHistory()).events ?? []) {
          const seconds = event.timerStartedEventAttributes?.startToFireTimeout?.seconds;
          if (seconds !== undefined && seconds !== null) timers.push(Number(seconds));
        }
        expect(timers.length).toBeGreaterThan(0);
        // A reminder owed here would be due at once (its moment passed a minute ago); auto-complete is hours away.
        expect(Math.min(...timers)).toBeGreaterThan(REMINDER_MS / 1000);
      },
      10_000,
      25,
    );
    expect(await reminders(client.id)).toEqual([]);
  });

  it('refuses a second booking of the same session by the same client', async () => {
    const client = await fundedClient(2);
    const session = await createSession(stack, admin, trainer.id, { capacity: 3 });
    expect((await book(client, session.id)).statusCode).toBe(200);
    const again = await book(client, session.id);
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('ALREADY_BOOKED');
    expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 1, held: 1 });
  });
});
