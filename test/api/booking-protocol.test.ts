import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { createSession, createUser, type TestUser } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { localActivitiesRun } from '../support/history.js';
import { expectLedgerConsistent } from '../support/invariants.js';
import { startStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let admin: TestUser;
let trainer: TestUser;

beforeAll(async () => {
  stack = await startStack();
  admin = await createUser(stack, 'admin');
  trainer = await createUser(stack, 'trainer');
});
afterAll(() => stack?.close());

const NO_CREDITS = 'No available sessions. Please purchase a session package to book this session.';

async function addToUser(userId: number, sessions: number, key?: string, reason = 'test allocation') {
  return stack.app.inject({
    method: 'POST',
    url: '/api/sessions/add-to-user',
    headers: { ...admin.headers, ...(key ? { 'idempotency-key': key } : {}) },
    payload: { userId, sessions, reason },
  });
}

describe("the seed's protocol, end to end over HTTP", () => {
  it('0 → +5 → +3 → 8 → book 2 → 6 available, 2 scheduled, and every endpoint agrees', async () => {
    const client = await createUser(stack, 'client');
    expect((await addToUser(client.id, 5)).json().data.availableSessions).toBe(5);
    expect((await addToUser(client.id, 3)).json().data.availableSessions).toBe(8);

    for (let i = 0; i < 2; i += 1) {
      const session = await createSession(stack, admin, trainer.id);
      const booked = await stack.app.inject({
        method: 'POST',
        url: `/api/sessions/book/${client.id}`,
        headers: client.headers,
        payload: { sessionId: session.id },
      });
      expect(booked.statusCode, booked.body).toBe(200);
      expect(booked.json()).toMatchObject({
        message: 'Session booked successfully.',
        session: { id: session.id, userId: client.id, status: 'scheduled', sessionDate: session.startsAt },
        availableSessions: 7 - i,
      });
      expect(Date.parse(booked.json().session.bookedAt)).not.toBeNaN();
    }

    const expected = { userId: client.id, available: 6, scheduled: 2, completed: 0, cancelled: 0, total: 8 };
    const summary = await stack.app.inject({ url: `/api/sessions/user-summary/${client.id}`, headers: admin.headers });
    expect(summary.json()).toEqual({ success: true, data: expected });
    const own = await stack.app.inject({ url: `/api/sessions/user-summary/${client.id}`, headers: client.headers });
    expect(own.json().data).toEqual(expected);
    expect((await stack.app.inject({ url: '/api/me/summary', headers: client.headers })).json().data).toEqual(expected);
    expect((await stack.app.inject({ url: '/api/me', headers: client.headers })).json()).toMatchObject({
      id: client.id,
      availableSessions: 6,
      lowBalance: false,
    });
    // The seed's front end reads a bare array with these fields (allocations are not purchases).
    const clients = (await stack.app.inject({ url: '/api/sessions/clients', headers: admin.headers })).json();
    expect(Array.isArray(clients)).toBe(true);
    expect(clients.find((row: { id: number }) => row.id === client.id)).toEqual({
      id: client.id,
      firstName: 'client',
      lastName: 'Test',
      email: client.email,
      availableSessions: 6,
      totalSessionsPurchased: 0,
      sessionsUsed: 0,
      lastSessionDate: null,
      lowBalance: false,
    });
    const bookings = (await stack.app.inject({ url: '/api/me/bookings', headers: client.headers })).json();
    expect(bookings.map((b: { status: string; creditState: string }) => [b.status, b.creditState])).toEqual([
      ['scheduled', 'held'],
      ['scheduled', 'held'],
    ]);
    const ledger = (await stack.app.inject({ url: '/api/me/ledger', headers: client.headers })).json();
    expect(ledger.map((e: { kind: string; delta: number; balanceAfter: number }) => [e.kind, e.delta, e.balanceAfter])).toEqual([
      ['hold', -1, 6],
      ['hold', -1, 7],
      ['grant', 3, 8],
      ['grant', 5, 5],
    ]);
    expect(ledger[0].workflowId).toMatch(/^booking-\d+-\d+$/);
    expect(ledger[3].workflowId).toMatch(/^allocation-/);
    expect(ledger.map((e: { actor: string }) => e.actor)).toEqual([
      `client:${client.id}`,
      `client:${client.id}`,
      `admin:${admin.id}`,
      `admin:${admin.id}`,
    ]);
    await expectLedgerConsistent(stack.orm);
  });

  it('refuses a booking without credit with the seed message, writing nothing but the audit', async () => {
    const client = await createUser(stack, 'client');
    const session = await createSession(stack, admin, trainer.id);
    const response = await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/book/${client.id}`,
      headers: client.headers,
      payload: { sessionId: session.id },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ message: NO_CREDITS, availableSessions: 0, code: 'NO_CREDITS' });
    expect(await query(stack.orm, 'select id from bookings where client_id = ?', [client.id])).toEqual([]);
    expect(await query(stack.orm, 'select id from ledger_entries where client_id = ?', [client.id])).toEqual([]);
    expect(await query(stack.orm, 'select booked_count, status from training_sessions where id = ?', [session.id])).toEqual([
      { booked_count: 0, status: 'available' },
    ]);
    // The audit: the workflow's history records the refused booking; its one transaction rolled the seat back.
    expect(await localActivitiesRun(stack.temporal, `booking-${session.id}-${client.id}`)).toEqual([{ type: 'bookSeat', failed: true }]);
    await expectLedgerConsistent(stack.orm);
  });

  it('books a refused client again at once after a credit arrives, and a refusal runs nothing after its one activity', async () => {
    for (let round = 0; round < 5; round += 1) {
      const client = await createUser(stack, 'client');
      const session = await createSession(stack, admin, trainer.id);
      const book = () =>
        stack.app.inject({
          method: 'POST',
          url: `/api/sessions/book/${client.id}`,
          headers: client.headers,
          payload: { sessionId: session.id },
        });
      expect((await book()).json().code).toBe('NO_CREDITS');
      const workflowId = `booking-${session.id}-${client.id}`;
      const { runId: refusedRunId } = await stack.temporal.workflow.getHandle(workflowId).describe();
      await addToUser(client.id, 1);
      // The refused booking's workflow may still be finishing: the new request waits for it
      // instead of being told 409 about a booking the client cannot see.
      const again = await book();
      expect(again.statusCode, again.body).toBe(200);
      const refusedRun = await stack.temporal.workflow.getHandle(workflowId, refusedRunId).fetchHistory();
      expect(refusedRun.events!.some((event) => event.activityTaskScheduledEventAttributes)).toBe(false);
    }
    await expectLedgerConsistent(stack.orm);
  });

  it('grants once for one Idempotency-Key, however often it is sent', async () => {
    const client = await createUser(stack, 'client');
    const responses = await Promise.all(Array.from({ length: 5 }, () => addToUser(client.id, 4, `grant-${client.id}`)));
    for (const response of responses) expect(response.json().data.availableSessions).toBe(4);
    expect(new Set(responses.map((r) => r.json().data.ledgerEntryId)).size).toBe(1);
    expect((await addToUser(client.id, 4, `grant-${client.id}`)).json().data.availableSessions).toBe(4);
    expect((await addToUser(client.id, 1)).json().data.availableSessions).toBe(5);
    await expectLedgerConsistent(stack.orm);
  });

  it('removes with a reason, never below zero', async () => {
    const client = await createUser(stack, 'client');
    await addToUser(client.id, 2);
    const noReason = await stack.app.inject({
      method: 'POST',
      url: '/api/sessions/add-to-user',
      headers: admin.headers,
      payload: { userId: client.id, sessions: -1 },
    });
    expect(noReason.statusCode).toBe(400);
    expect(noReason.json().code).toBe('REASON_REQUIRED');
    const tooMany = await addToUser(client.id, -3, undefined, 'correction');
    expect(tooMany.statusCode).toBe(400);
    expect(tooMany.json().message).toContain('only 2 available');
    const removed = await addToUser(client.id, -2, undefined, 'duplicate payment corrected');
    expect(removed.json().data.availableSessions).toBe(0);
    await expectLedgerConsistent(stack.orm);
  });

  it('books only inside the booking window: not in the past, not more than 90 days ahead', async () => {
    const client = await createUser(stack, 'client');
    await addToUser(client.id, 2);
    const tooFar = await createSession(stack, admin, trainer.id, { startsAt: new Date(Date.now() + 91 * 86_400_000) });
    const far = await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/book/${client.id}`,
      headers: client.headers,
      payload: { sessionId: tooFar.id },
    });
    expect(far.statusCode).toBe(400);
    expect(far.json()).toEqual({ message: 'Sessions can be booked at most 90 days ahead.', code: 'NOT_BOOKABLE' });
    const [past] = await query<{ id: number }>(
      stack.orm,
      `insert into training_sessions (trainer_id, starts_at, duration_minutes) values (?, now() - interval '1 hour', 60) returning id`,
      [trainer.id],
    );
    const late = await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/book/${client.id}`,
      headers: client.headers,
      payload: { sessionId: past!.id },
    });
    expect(late.statusCode).toBe(400);
    expect(late.json().message).toBe('This session has already started; sessions in the past cannot be booked.');
    const inside = await createSession(stack, admin, trainer.id, { startsAt: new Date(Date.now() + 89 * 86_400_000) });
    expect(
      (
        await stack.app.inject({
          method: 'POST',
          url: `/api/sessions/book/${client.id}`,
          headers: client.headers,
          payload: { sessionId: inside.id },
        })
      ).statusCode,
    ).toBe(200);
    await expectLedgerConsistent(stack.orm);
  });

  it('answers bad input with a clear 4xx and never a 500', async () => {
    const client = await createUser(stack, 'client');
    const cases = [
      { method: 'POST' as const, url: '/api/sessions/add-to-user', headers: admin.headers, payload: { userId: client.id, sessions: 0 } },
      { method: 'POST' as const, url: '/api/sessions/add-to-user', headers: admin.headers, payload: { userId: 999999, sessions: 1 } },
      { method: 'POST' as const, url: '/api/sessions/add-to-user', headers: admin.headers, payload: { userId: trainer.id, sessions: 1 } },
      { method: 'POST' as const, url: `/api/sessions/book/${client.id}`, headers: client.headers, payload: { sessionId: 999999 } },
      { method: 'POST' as const, url: `/api/sessions/book/${client.id}`, headers: client.headers, payload: { sessionId: 'abc' } },
      {
        method: 'POST' as const,
        url: '/api/sessions',
        headers: admin.headers,
        payload: { trainerId: trainer.id, startsAt: '2001-01-01T00:00:00Z', durationMinutes: 60 },
      },
      {
        method: 'POST' as const,
        url: '/api/sessions',
        headers: admin.headers,
        payload: { trainerId: client.id, startsAt: '2099-01-01T00:00:00Z', durationMinutes: 60 },
      },
    ];
    for (const request of cases) {
      const response = await stack.app.inject(request);
      expect(response.statusCode, `${request.url} ${JSON.stringify(request.payload)}: ${response.body}`).toBeGreaterThanOrEqual(400);
      expect(response.statusCode).toBeLessThan(500);
      expect(response.json()).toEqual(expect.objectContaining({ message: expect.any(String), code: expect.any(String) }));
    }
    await expectLedgerConsistent(stack.orm);
  });
});

describe("the seed's client list", () => {
  it('counts the sessions a client used and dates the last one', async () => {
    const client = await createUser(stack, 'client');
    await addToUser(client.id, 2);
    const session = await createSession(stack, admin, trainer.id);
    expect(
      (
        await stack.app.inject({
          method: 'POST',
          url: `/api/sessions/book/${client.id}`,
          headers: client.headers,
          payload: { sessionId: session.id },
        })
      ).statusCode,
    ).toBe(200);
    expect(
      (
        await stack.app.inject({
          method: 'POST',
          url: `/api/sessions/${session.id}/complete`,
          headers: admin.headers,
          payload: { userId: client.id },
        })
      ).statusCode,
    ).toBe(202);
    await eventually(async () => {
      const clients = (await stack.app.inject({ url: '/api/sessions/clients', headers: admin.headers })).json();
      expect(clients.find((row: { id: number }) => row.id === client.id)).toMatchObject({
        availableSessions: 1,
        sessionsUsed: 1,
        lastSessionDate: session.startsAt,
      });
    });
  });
});
