import { afterAll, beforeAll, expect, it } from 'vitest';
import { createCreditActivities } from '../../activities/credits.js';
import { query } from '../../model/transaction.js';
import { purchaseLedgerKeys } from '../../model/vocabulary.js';
import { purchaseWorkflowId } from '../../workflows/definitions.js';
import { startStack, type TestStack } from '../support/stack.js';
import {
  account,
  available,
  checkout,
  completed,
  createPackage,
  expectBooksBalanced,
  postEvent,
  purchaseRow,
  relayed,
  waitFor,
} from '../support/stripe.js';

/**
 * The webhook's work is only to store the event for its relay to Temporal: with no worker
 * running it still answers at once, the event waits durably in the workflow, and the
 * credit appears when a worker returns. Nothing is lost, nothing is applied twice.
 */
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

it('answers within the request while the worker is stopped; the credit follows when it returns', async () => {
  const client = await account(stack, 'client');
  const purchase = await checkout(stack, client, await createPackage(stack.orm, { sessions: 4, priceCents: 30_000 }));
  await stack.stopWorker();
  try {
    const event = completed(purchase);
    const started = performance.now();
    const first = await postEvent(stack, event);
    const again = await postEvent(stack, event); // Stripe retries when it is unsure
    const elapsed = performance.now() - started;
    expect(first.statusCode).toBe(200);
    expect(again.statusCode).toBe(200);
    expect(elapsed, 'two acknowledgements took too long').toBeLessThan(2_000);

    await relayed(stack, `event_id = ?`, [event.id]);
    const description = await stack.temporal.workflow.getHandle(purchaseWorkflowId(purchase.id)).describe();
    expect(description.status.name).toBe('RUNNING');
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await available(stack.orm, client.id)).toBe(0);
    expect((await purchaseRow(stack.orm, purchase.id)).status).toBe('pending');
  } finally {
    await stack.startWorker();
  }
  expect(
    await waitFor(
      () => available(stack.orm, client.id),
      (credits) => credits === 4,
    ),
  ).toBe(4);
  await waitFor(
    () => purchaseRow(stack.orm, purchase.id),
    (row) => row.status === 'paid',
  );
  await expectBooksBalanced(stack.orm, client.id);
});

it('saves the row of a purchase whose grant committed in a workflow task that timed out before the row was written', async () => {
  const client = await account(stack, 'client');
  const purchase = await checkout(stack, client, await createPackage(stack.orm, { sessions: 3, priceCents: 21_000 }));
  await stack.stopWorker();
  try {
    // What a timed-out task leaves behind: its grant committed under the purchase's own key, the
    // row still pending, holding what an earlier event saved (the payment intent of a bank debit's
    // first, unpaid, completion), so the books resumed from it differ from the row in status alone.
    await query(stack.orm, `update purchases set stripe_payment_intent_id = ? where id = ?`, [purchase.paymentIntentId, purchase.id]);
    await createCreditActivities({ orm: stack.orm, settings: stack.settings }).grantCredits({
      idempotencyKey: purchaseLedgerKeys(purchase.id).grant,
      clientId: client.id,
      purchaseId: purchase.id,
      quantity: 3,
      source: 'purchase',
      actor: 'stripe',
      reason: `Purchase #${purchase.id}`,
    });
    expect((await purchaseRow(stack.orm, purchase.id)).status).toBe('pending');
    const event = completed(purchase);
    expect((await postEvent(stack, event)).statusCode).toBe(200);
    await relayed(stack, `event_id = ?`, [event.id]);
  } finally {
    await stack.startWorker();
  }
  // The run that resumes it finds the grant done, grants nothing again, and writes the row.
  await waitFor(
    () => purchaseRow(stack.orm, purchase.id),
    (row) => row.status === 'paid',
  );
  expect(await available(stack.orm, client.id)).toBe(3);
  await expectBooksBalanced(stack.orm, client.id);
});
