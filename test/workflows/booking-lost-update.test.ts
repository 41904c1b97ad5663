import { afterAll, beforeAll, expect, it } from 'vitest';
import { createBookingActivities } from '../../activities/bookings.js';
import { query } from '../../model/transaction.js';
import type { Actor } from '../../model/vocabulary.js';
import { bookingStateQuery, bookingWorkflowId } from '../../workflows/definitions.js';
import type { bookToDeduct } from '../../workflows/index.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { balanceOf, expectLedgerConsistent } from '../support/invariants.js';
import { startStack, type TestStack } from '../support/stack.js';

/**
 * A Temporal restart can lose a book update after its local activities committed: the
 * booking is in PostgreSQL, the restarted workflow never hears of it, and if nobody sends
 * the update again its workflow must still take the booking over (or give the seat back),
 * never end and leave it without one. Here the activities run by hand, as the lost
 * workflow task ran them, and the workflow starts with no booking request.
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

async function lostReservation(client: TestUser, withCredit: boolean) {
  const session = await createSession(stack, admin, trainer.id);
  const workflowId = bookingWorkflowId(session.id, client.id);
  const actor: Actor = { id: String(client.id), role: 'client' };
  const activities = createBookingActivities({ orm: stack.orm, settings: stack.settings });
  const seat = await activities.reserveSeat({ sessionId: session.id, clientId: client.id, workflowId, actor, complimentary: false });
  if (withCredit) await activities.holdCredit({ bookingId: seat.bookingId, clientId: client.id, sessionId: session.id, actor });
  const handle = await stack.temporal.workflow.start<typeof bookToDeduct>('bookToDeduct', {
    workflowId,
    taskQueue: stack.settings.temporal.taskQueue,
    args: [
      {
        sessionId: session.id,
        clientId: client.id,
        actor,
        complimentary: false,
        reminderBeforeMs: 86_400_000,
        autoCompleteAfterMs: 7_200_000,
        awaitBookingMs: 300,
      },
    ],
  });
  return { session, bookingId: seat.bookingId, handle };
}

it('a booking whose book update was lost after it committed is taken over by its workflow, and cancels', async () => {
  const client = await createUser(stack, 'client');
  await grant(stack, client.id, 1);
  const { session, bookingId, handle } = await lostReservation(client, true);
  await eventually(async () => expect(await handle.query(bookingStateQuery)).toEqual({ phase: 'live', bookingId, status: 'scheduled' }));
  const cancelled = await stack.app.inject({
    method: 'POST',
    url: `/api/sessions/${session.id}/cancel`,
    headers: client.headers,
    payload: {},
  });
  expect(cancelled.statusCode, cancelled.body).toBe(200);
  expect(cancelled.json()).toMatchObject({ bookingId, status: 'cancelled', credit: 'released' });
  expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 1, held: 0 });
  await expectLedgerConsistent(stack.orm);
});

it('a lost reservation that never got its credit gives its seat back', async () => {
  const client = await createUser(stack, 'client');
  const { session, handle } = await lostReservation(client, false);
  expect(await handle.result()).toBe('not booked');
  expect(await query(stack.orm, `select id from bookings where client_id = ?`, [client.id])).toEqual([]);
  expect(await query(stack.orm, `select booked_count from training_sessions where id = ?`, [session.id])).toEqual([{ booked_count: 0 }]);
  await expectLedgerConsistent(stack.orm);
});
