import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { balanceOf, expectLedgerConsistent } from '../support/invariants.js';
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

function book(client: TestUser, sessionId: number) {
  return stack.app.inject({ method: 'POST', url: `/api/sessions/book/${client.id}`, headers: client.headers, payload: { sessionId } });
}

function tally(statuses: number[]) {
  return statuses.reduce<Record<number, number>>((counts, status) => ({ ...counts, [status]: (counts[status] ?? 0) + 1 }), {});
}

describe('concurrent bookings', () => {
  it('50 funded clients racing for one seat: exactly one books, 49 get a clean 409', async () => {
    const clients = await Promise.all(Array.from({ length: 50 }, () => createUser(stack, 'client')));
    for (const client of clients) await grant(stack, client.id, 1);
    const session = await createSession(stack, admin, trainer.id, { capacity: 1 });
    const started = performance.now();
    const responses = await Promise.all(clients.map((client) => book(client, session.id)));
    const elapsed = performance.now() - started;
    const counts = tally(responses.map((r) => r.statusCode));
    console.log(
      `race 1 seat: 50 attempts, ${counts[200] ?? 0} booked, ${counts[409] ?? 0} refused 409, other ${JSON.stringify(counts)} in ${elapsed.toFixed(0)} ms`,
    );
    expect(counts).toEqual({ 200: 1, 409: 49 });
    const refusals = new Set(responses.filter((r) => r.statusCode === 409).map((r) => r.body));
    expect([...refusals]).toEqual([JSON.stringify({ message: 'This session is full.', code: 'SESSION_FULL' })]);
    const winner = clients[responses.findIndex((r) => r.statusCode === 200)]!;
    expect(await balanceOf(stack.orm, winner.id)).toEqual({ available: 0, held: 1 });
    for (const loser of clients.filter((client) => client !== winner)) {
      expect(await balanceOf(stack.orm, loser.id)).toEqual({ available: 1, held: 0 });
    }
    await expectLedgerConsistent(stack.orm);
  });

  it('one client with 3 credits firing 20 bookings at once: exactly 3 book', async () => {
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 3);
    const sessions = [];
    for (let i = 0; i < 20; i += 1) sessions.push(await createSession(stack, admin, trainer.id));
    const started = performance.now();
    const responses = await Promise.all(sessions.map((session) => book(client, session.id)));
    const elapsed = performance.now() - started;
    const counts = tally(responses.map((r) => r.statusCode));
    console.log(
      `race 3 credits: 20 attempts, ${counts[200] ?? 0} booked, ${counts[400] ?? 0} refused 400 (no credits), other ${JSON.stringify(counts)} in ${elapsed.toFixed(0)} ms`,
    );
    expect(counts).toEqual({ 200: 3, 400: 17 });
    for (const refused of responses.filter((r) => r.statusCode === 400)) {
      expect(refused.json()).toMatchObject({ code: 'NO_CREDITS', availableSessions: 0 });
    }
    expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 0, held: 3 });
    await expectLedgerConsistent(stack.orm);
  });

  it('a group session fills to its capacity and no further', async () => {
    const clients = await Promise.all(Array.from({ length: 12 }, () => createUser(stack, 'client')));
    for (const client of clients) await grant(stack, client.id, 1);
    const session = await createSession(stack, admin, trainer.id, { capacity: 5 });
    const counts = tally((await Promise.all(clients.map((client) => book(client, session.id)))).map((r) => r.statusCode));
    expect(counts).toEqual({ 200: 5, 409: 7 });
    await expectLedgerConsistent(stack.orm);
  });
});

describe('overlaps', () => {
  it('refuses a client in two overlapping sessions, and keeps the credit', async () => {
    const otherTrainer = await createUser(stack, 'trainer');
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 2);
    const startsAt = new Date(Date.now() + 30 * 86_400_000);
    const first = await createSession(stack, admin, trainer.id, { startsAt });
    const second = await createSession(stack, admin, otherTrainer.id, { startsAt: new Date(startsAt.getTime() + 30 * 60_000) });
    expect((await book(client, first.id)).statusCode).toBe(200);
    const overlapping = await book(client, second.id);
    expect(overlapping.statusCode).toBe(409);
    expect(overlapping.json()).toMatchObject({ code: 'OVERLAP', message: 'The client already has a session at that time.' });
    expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 1, held: 1 });
    await expectLedgerConsistent(stack.orm);
  });

  it('refuses a trainer in two overlapping sessions, when created or when rescheduled', async () => {
    const startsAt = new Date(Date.now() + 40 * 86_400_000);
    const first = await createSession(stack, admin, trainer.id, { startsAt });
    const clash = await stack.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: admin.headers,
      payload: { trainerId: trainer.id, startsAt: new Date(startsAt.getTime() + 15 * 60_000).toISOString(), durationMinutes: 30 },
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.json()).toMatchObject({ code: 'OVERLAP', message: 'The trainer already has a session at that time.' });
    const later = await createSession(stack, admin, trainer.id, { startsAt: new Date(startsAt.getTime() + 2 * 3_600_000) });
    const moved = await stack.app.inject({
      method: 'PATCH',
      url: `/api/sessions/${later.id}`,
      headers: admin.headers,
      payload: { startsAt: first.startsAt },
    });
    expect(moved.statusCode).toBe(409);
    expect(moved.json().code).toBe('OVERLAP');
  });

  it('refuses a whole weekly series when one week clashes, creating none of it', async () => {
    const startsAt = new Date(Date.now() + 50 * 86_400_000);
    await createSession(stack, admin, trainer.id, { startsAt: new Date(startsAt.getTime() + 14 * 86_400_000) });
    const series = await stack.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: admin.headers,
      payload: { trainerId: trainer.id, startsAt: startsAt.toISOString(), durationMinutes: 60, repeatWeeks: 4 },
    });
    expect(series.statusCode).toBe(409);
    const listed = await stack.app.inject({
      url: `/api/sessions?from=${encodeURIComponent(startsAt.toISOString())}&to=${encodeURIComponent(new Date(startsAt.getTime() + 35 * 86_400_000).toISOString())}&trainerId=${trainer.id}`,
      headers: admin.headers,
    });
    expect(listed.json()).toHaveLength(1);
  });
});
