import { afterAll, beforeAll, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { createUser, grant } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { expectLedgerConsistent } from '../support/invariants.js';
import { startStack, type TestStack } from '../support/stack.js';

let stack: TestStack;

beforeAll(async () => {
  // Auto-complete the moment a session ends, and let a session that has begun still be
  // booked (the late-booking policy), so a one-minute session can end a moment after booking.
  stack = await startStack({ POLICY_AUTO_COMPLETE_AFTER_MINUTES: '0', POLICY_LATE_BOOKING_MINUTES: '2' });
});
afterAll(() => stack?.close());

it('completes a booking nobody closed once the session is over, consuming its credit', async () => {
  const trainer = await createUser(stack, 'trainer');
  const client = await createUser(stack, 'client');
  await grant(stack, client.id, 2);
  // The shortest session the schema allows (one minute), which began 59.5 seconds ago.
  const [session] = await query<{ id: number; endsAt: Date }>(
    stack.orm,
    `insert into training_sessions (trainer_id, starts_at, duration_minutes) values (?, now() - interval '59.5 seconds', 1)
      returning id, ends_at as "endsAt"`,
    [trainer.id],
  );
  const booked = await stack.app.inject({
    method: 'POST',
    url: `/api/sessions/book/${client.id}`,
    headers: client.headers,
    payload: { sessionId: session!.id },
  });
  expect(booked.statusCode, booked.body).toBe(200);

  await eventually(async () => {
    const [booking] = await query(stack.orm, `select status, credit_state from bookings where session_id = ?`, [session!.id]);
    expect(booking).toEqual({ status: 'completed', credit_state: 'consumed' });
  }, 10_000);
  const [entry] = await query<{ kind: string; actor: string; createdAt: Date }>(
    stack.orm,
    `select kind, actor, created_at as "createdAt" from ledger_entries where client_id = ? order by id desc limit 1`,
    [client.id],
  );
  expect(entry).toMatchObject({ kind: 'consume', actor: 'system' });
  expect(entry!.createdAt.getTime()).toBeGreaterThanOrEqual(session!.endsAt.getTime());
  expect((await query(stack.orm, `select status from training_sessions where id = ?`, [session!.id]))[0]).toEqual({ status: 'completed' });
  await expectLedgerConsistent(stack.orm);
});

it('the late-booking policy refuses a session that began longer ago than it allows', async () => {
  const trainer = await createUser(stack, 'trainer');
  const client = await createUser(stack, 'client');
  await grant(stack, client.id, 1);
  const [session] = await query<{ id: number }>(
    stack.orm,
    `insert into training_sessions (trainer_id, starts_at, duration_minutes) values (?, now() - interval '3 minutes', 60) returning id`,
    [trainer.id],
  );
  const refused = await stack.app.inject({
    method: 'POST',
    url: `/api/sessions/book/${client.id}`,
    headers: client.headers,
    payload: { sessionId: session!.id },
  });
  expect(refused.statusCode).toBe(400);
  expect(refused.json()).toMatchObject({
    code: 'NOT_BOOKABLE',
    message: 'Bookings close 2 minutes after a session starts; this one is past that.',
  });
});
