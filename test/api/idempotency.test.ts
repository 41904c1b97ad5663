import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { balanceOf, expectLedgerConsistent } from '../support/invariants.js';
import { startStack, type TestStack } from '../support/stack.js';
import { createPackage } from '../support/stripe.js';

/**
 * An Idempotency-Key replays its first answer for the same request and is refused
 * (422) for another; a key belongs to one route and one user.
 */
let stack: TestStack;
let admin: TestUser;
let trainer: TestUser;

beforeAll(async () => {
  stack = await startStack();
  admin = await createUser(stack, 'admin');
  trainer = await createUser(stack, 'trainer');
});
afterAll(() => stack?.close());

const newKey = () => `key-${randomBytes(6).toString('hex')}`;

function book(client: TestUser, sessionId: number, key: string) {
  return stack.app.inject({
    method: 'POST',
    url: `/api/sessions/book/${client.id}`,
    headers: { ...client.headers, 'idempotency-key': key },
    payload: { sessionId },
  });
}

function cancel(client: TestUser, sessionId: number, key: string) {
  return stack.app.inject({
    method: 'POST',
    url: `/api/sessions/${sessionId}/cancel`,
    headers: { ...client.headers, 'idempotency-key': key },
    payload: {},
  });
}

function addToUser(userId: number, sessions: number, key: string) {
  return stack.app.inject({
    method: 'POST',
    url: '/api/sessions/add-to-user',
    headers: { ...admin.headers, 'idempotency-key': key },
    payload: { userId, sessions, reason: 'idempotency test' },
  });
}

async function ledgerOf(clientId: number) {
  return query<{ kind: string; delta: number }>(stack.orm, `select kind, delta from ledger_entries where client_id = ? order by id`, [
    clientId,
  ]);
}

describe('the same key and the same request', () => {
  it('replays a booking with its first answer and books once', async () => {
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 2);
    const session = await createSession(stack, admin, trainer.id);
    const key = newKey();
    const first = await book(client, session.id, key);
    expect(first.statusCode, first.body).toBe(200);
    const again = await book(client, session.id, key);
    expect(again.statusCode).toBe(200);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toBe(first.body);
    expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 1, held: 1 });
    await expectLedgerConsistent(stack.orm);
  });

  it('replays a cancel with 200 and its outcome, not a 404 for a booking already cancelled', async () => {
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 1);
    const session = await createSession(stack, admin, trainer.id);
    expect((await book(client, session.id, newKey())).statusCode).toBe(200);
    const key = newKey();
    const first = await cancel(client, session.id, key);
    expect(first.statusCode, first.body).toBe(200);
    expect(first.json()).toMatchObject({ status: 'cancelled', credit: 'released', availableSessions: 1 });
    const again = await cancel(client, session.id, key);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.body).toBe(first.body);
    expect(again.headers['idempotent-replayed']).toBe('true');
    // Without the key, or with a new one, a second cancel is a new request, and there is nothing left to cancel.
    expect(
      (await stack.app.inject({ method: 'POST', url: `/api/sessions/${session.id}/cancel`, headers: client.headers, payload: {} }))
        .statusCode,
    ).toBe(404);
    const fresh = await cancel(client, session.id, newKey());
    expect(fresh.statusCode, fresh.body).toBe(404);
    expect(fresh.json().code).toBe('NO_BOOKING');
    expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 1, held: 0 });
  });

  it('replays an allocation, even when the body lists its fields in another order', async () => {
    const client = await createUser(stack, 'client');
    const key = newKey();
    const first = await addToUser(client.id, 3, key);
    expect(first.statusCode, first.body).toBe(200);
    const reordered = await stack.app.inject({
      method: 'POST',
      url: '/api/sessions/add-to-user',
      headers: { ...admin.headers, 'idempotency-key': key },
      payload: { reason: 'idempotency test', sessions: 3, userId: client.id },
    });
    expect(reordered.statusCode).toBe(200);
    expect(reordered.body).toBe(first.body);
    expect(await ledgerOf(client.id)).toEqual([{ kind: 'grant', delta: 3 }]);
  });

  it('replays a checkout: one pending purchase for one key', async () => {
    const client = await createUser(stack, 'client');
    const packageId = await createPackage(stack.orm, { sessions: 5, priceCents: 35_000 });
    const key = newKey();
    const open = () =>
      stack.app.inject({
        method: 'POST',
        url: '/api/checkout',
        headers: { ...client.headers, 'idempotency-key': key },
        payload: { packageId },
      });
    const first = await open();
    expect(first.statusCode, first.body).toBe(201);
    const again = await open();
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(await query(stack.orm, `select id from purchases where client_id = ?`, [client.id])).toHaveLength(1);
  });

  it('replays a business refusal, and keeps no answer for a request the schema refused', async () => {
    const client = await createUser(stack, 'client');
    const session = await createSession(stack, admin, trainer.id);
    const invalidKey = newKey();
    const invalid = await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/book/${client.id}`,
      headers: { ...client.headers, 'idempotency-key': invalidKey },
      payload: { sessionId: 'abc' },
    });
    expect(invalid.statusCode).toBe(400);
    const refusalKey = newKey();
    const refused = await book(client, session.id, refusalKey);
    expect(refused.statusCode).toBe(400);
    expect(refused.json().code).toBe('NO_CREDITS');
    await grant(stack, client.id, 1);
    // The refusal was the answer to that request; a new key is a new request.
    expect((await book(client, session.id, refusalKey)).json().code).toBe('NO_CREDITS');
    expect((await book(client, session.id, invalidKey)).statusCode).toBe(200);
    await expectLedgerConsistent(stack.orm);
  });
});

describe('the same key and another request', () => {
  it('refuses an allocation with 422 IDEMPOTENCY_KEY_REUSED and writes nothing', async () => {
    const client = await createUser(stack, 'client');
    const key = newKey();
    expect((await addToUser(client.id, 4, key)).statusCode).toBe(200);
    const reused = await addToUser(client.id, 7, key);
    expect(reused.statusCode, reused.body).toBe(422);
    expect(reused.json()).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    const otherClient = await createUser(stack, 'client');
    expect((await addToUser(otherClient.id, 4, key)).statusCode).toBe(422);
    expect(await ledgerOf(client.id)).toEqual([{ kind: 'grant', delta: 4 }]);
    expect(await ledgerOf(otherClient.id)).toEqual([]);
    expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 4, held: 0 });
  });

  it('refuses a booking of another session with 422 and books nothing', async () => {
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 2);
    const [first, second] = [await createSession(stack, admin, trainer.id), await createSession(stack, admin, trainer.id)];
    const key = newKey();
    expect((await book(client, first.id, key)).statusCode).toBe(200);
    const reused = await book(client, second.id, key);
    expect(reused.statusCode, reused.body).toBe(422);
    expect(reused.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await query(stack.orm, `select session_id from bookings where client_id = ?`, [client.id])).toEqual([{ session_id: first.id }]);
    expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 1, held: 1 });
  });
});

describe('keys belong to their user', () => {
  it("one client's key never replays another client's answer", async () => {
    const [alice, bob] = [await createUser(stack, 'client'), await createUser(stack, 'client')];
    await grant(stack, alice.id, 1);
    await grant(stack, bob.id, 1);
    const [aliceSession, bobSession] = [await createSession(stack, admin, trainer.id), await createSession(stack, admin, trainer.id)];
    const key = newKey();
    const alices = await book(alice, aliceSession.id, key);
    expect(alices.statusCode).toBe(200);
    const bobs = await book(bob, bobSession.id, key);
    expect(bobs.statusCode, bobs.body).toBe(200);
    expect(bobs.headers['idempotent-replayed']).toBeUndefined();
    expect(bobs.json().session).toMatchObject({ id: bobSession.id, userId: bob.id });
    // Another client sending Alice's very request under her key gets its own refusal, not her booking.
    const carol = await createUser(stack, 'client');
    const intruding = await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/book/${alice.id}`,
      headers: { ...carol.headers, 'idempotency-key': key },
      payload: { sessionId: aliceSession.id },
    });
    expect(intruding.statusCode, intruding.body).toBe(403);
    expect(intruding.headers['idempotent-replayed']).toBeUndefined();
    expect(await balanceOf(stack.orm, alice.id)).toEqual({ available: 0, held: 1 });
    expect(await balanceOf(stack.orm, bob.id)).toEqual({ available: 0, held: 1 });
  });
});
