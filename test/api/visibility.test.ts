import { afterAll, beforeAll, expect, it } from 'vitest';
import {
  bookingWorkflowId,
  lotExpiryWorkflowId,
  purchaseWorkflowId,
  sessionRescheduleWorkflowId,
  waitlistWorkflowId,
} from '../../workflows/definitions.js';
import { query } from '../../model/transaction.js';
import { allocateExpiring, createSession, createUser } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { startStack, type TestStack } from '../support/stack.js';
import { book } from '../support/studio-day.js';
import { checkout, completed, createPackage, deliver, settled } from '../support/stripe.js';

/*
 * Ops find a client's, a session's or a purchase's workflows in the Temporal UI by typing
 * `ClientId = '42'`: this runs those visibility queries against the real dev server after
 * each kind of workflow has run once for one client and one session.
 */
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

async function listed(query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const run of stack.temporal.workflow.list({ query })) ids.push(run.workflowId);
  return [...new Set(ids)].sort();
}

it('finds every workflow of a client by ClientId, of a session by SessionId and of a purchase by PurchaseId', async () => {
  const admin = await createUser(stack, 'admin');
  const trainer = await createUser(stack, 'trainer');
  const client = await createUser(stack, 'client');
  const other = await createUser(stack, 'client');

  const lotId = await allocateExpiring(stack, admin, client.id, 1, new Date(Date.now() + 3_600_000));
  const purchase = await checkout(stack, client, await createPackage(stack.orm, { sessions: 5, priceCents: 40_000 }));
  await deliver(stack, completed(purchase));
  await settled(stack, purchase.id);
  // The package's lot has its own expiry workflow, for the same client.
  const [bought] = await query<{ id: number }>(stack.orm, `select id from credit_lots where purchase_id = ?`, [purchase.id]);

  const session = await createSession(stack, admin, trainer.id, { capacity: 1 });
  await book(stack, client, client.id, session.id);
  const joined = await stack.app.inject({
    method: 'POST',
    url: `/api/sessions/${session.id}/waitlist`,
    headers: other.headers,
    payload: {},
  });
  expect(joined.statusCode, joined.body).toBe(201);
  const moved = await stack.app.inject({
    method: 'PATCH',
    url: `/api/sessions/${session.id}`,
    headers: admin.headers,
    payload: { startsAt: new Date(Date.parse(session.startsAt) + 30 * 60_000).toISOString() },
  });
  expect(moved.statusCode, moved.body).toBe(200);

  await eventually(async () => {
    const ofClient = await listed(`ClientId = '${client.id}'`);
    expect(ofClient.filter((id) => !id.startsWith('allocation-'))).toEqual(
      [
        bookingWorkflowId(session.id, client.id),
        lotExpiryWorkflowId(lotId),
        lotExpiryWorkflowId(bought!.id),
        purchaseWorkflowId(purchase.id),
      ].sort(),
    );
    // The one allocation the admin made for this client, and no other client's.
    expect(ofClient.filter((id) => id.startsWith('allocation-'))).toHaveLength(1);
    expect(await listed(`SessionId = '${session.id}'`)).toEqual(
      [bookingWorkflowId(session.id, client.id), sessionRescheduleWorkflowId(session.id), waitlistWorkflowId(session.id)].sort(),
    );
    expect(await listed(`PurchaseId = '${purchase.id}'`)).toEqual([purchaseWorkflowId(purchase.id)]);
    expect(await listed(`ClientId = '${other.id}'`)).toEqual([]);
  }, 15_000);
});
