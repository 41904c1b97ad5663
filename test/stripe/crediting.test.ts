import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { purchaseWorkflowId } from '../../workflows/definitions.js';
import { historyStory } from '../support/history.js';
import { startStack, type TestStack } from '../support/stack.js';
import {
  unusedPurchaseId,
  workflowExists,
  account,
  asyncFailed,
  asyncSucceeded,
  chargeRefunded,
  checkout,
  checkoutSession,
  completed,
  createPackage,
  deliver,
  expectBooksBalanced,
  ledgerCount,
  postEvent,
  purchaseRow,
  settled,
  stripeEvent,
  waitFor,
  available,
  type Account,
} from '../support/stripe.js';

/**
 * One Stripe payment credits its sessions exactly once, however often, late
 * or out of order its webhooks arrive. Every event here is signed and posted to the real
 * endpoint; the real workflow and the real ledger do the rest.
 */
let stack: TestStack;
let packageId: number;

beforeAll(async () => {
  stack = await startStack();
  packageId = await createPackage(stack.orm, { sessions: 10, priceCents: 70_000, validityDays: 180 });
});
afterAll(async () => {
  await stack?.close();
});

async function newClient(): Promise<Account> {
  return account(stack, 'client');
}

describe('a paid checkout', () => {
  it('credits the package once, marks the purchase paid and the client as a buyer, with the package validity', async () => {
    const client = await newClient();
    const purchase = await checkout(stack, client, packageId);
    const event = completed(purchase);
    await deliver(stack, event);

    expect(
      await waitFor(
        () => available(stack.orm, client.id),
        (credits) => credits === 10,
        15_000,
        () => historyStory(stack.temporal, purchaseWorkflowId(purchase.id)),
      ),
    ).toBe(10);
    await settled(stack, purchase.id);
    const row = await purchaseRow(stack.orm, purchase.id);
    expect(row).toMatchObject({ status: 'paid', paymentIntentId: purchase.paymentIntentId });
    expect(row.paidAt?.toISOString()).toBe(new Date(event.created * 1000).toISOString());
    const [lot] = await query<{ quantity: number; source: string; expiresAt: Date }>(
      stack.orm,
      `select quantity, source, expires_at as "expiresAt" from credit_lots where purchase_id = ?`,
      [purchase.id],
    );
    expect(lot).toMatchObject({ quantity: 10, source: 'purchase' });
    expect(lot!.expiresAt.getTime()).toBe(event.created * 1000 + 180 * 86_400_000);
    const [user] = await query<{ bought: boolean }>(stack.orm, `select has_purchased_before as bought from users where id = ?`, [
      client.id,
    ]);
    expect(user!.bought).toBe(true);
    expect(await ledgerCount(stack.orm, `purchase_id = ? and kind = 'grant' and actor = 'stripe'`, [purchase.id])).toBe(1);
    const receipts = await query(stack.orm, `select 1 from notifications where user_id = ? and kind = 'purchase.paid'`, [client.id]);
    expect(receipts).toHaveLength(1);
    await expectBooksBalanced(stack.orm, client.id);
  });

  it('credits once when the same event arrives five times, even all at once', async () => {
    const client = await newClient();
    const purchase = await checkout(stack, client, packageId);
    const event = completed(purchase);
    const responses = await Promise.all(Array.from({ length: 5 }, () => postEvent(stack, event)));
    expect(responses.map((response) => response.statusCode)).toEqual([200, 200, 200, 200, 200]);

    await waitFor(
      () => available(stack.orm, client.id),
      (credits) => credits === 10,
    );
    await settled(stack, purchase.id);
    expect(await available(stack.orm, client.id)).toBe(10);
    expect(await ledgerCount(stack.orm, `purchase_id = ?`, [purchase.id])).toBe(1);
    const view = await stack.temporal.workflow.getHandle(purchaseWorkflowId(purchase.id)).query<{ eventsSeen: number }>('purchaseState');
    expect(view.eventsSeen).toBe(1);
    await expectBooksBalanced(stack.orm, client.id);
  });

  it('credits once for completed(paid) and its async_payment_succeeded twin, and for redelivered twins', async () => {
    const client = await newClient();
    const purchase = await checkout(stack, client, packageId);
    for (const event of [completed(purchase), asyncSucceeded(purchase), asyncSucceeded(purchase), completed(purchase)]) {
      await deliver(stack, event);
    }
    await waitFor(
      () => available(stack.orm, client.id),
      (credits) => credits === 10,
    );
    await settled(stack, purchase.id);
    expect(await available(stack.orm, client.id)).toBe(10);
    expect(await ledgerCount(stack.orm, `purchase_id = ?`, [purchase.id])).toBe(1);
    await expectBooksBalanced(stack.orm, client.id);
  });
});

describe('an asynchronous payment', () => {
  it('credits nothing while unpaid, then once when the payment succeeds', async () => {
    const client = await newClient();
    const purchase = await checkout(stack, client, packageId);
    await deliver(stack, completed(purchase, 'unpaid'));
    await settled(stack, purchase.id);
    expect(await available(stack.orm, client.id)).toBe(0);
    expect((await purchaseRow(stack.orm, purchase.id)).status).toBe('pending');

    await deliver(stack, asyncSucceeded(purchase));
    await waitFor(
      () => available(stack.orm, client.id),
      (credits) => credits === 10,
    );
    await settled(stack, purchase.id);
    expect((await purchaseRow(stack.orm, purchase.id)).status).toBe('paid');
    await expectBooksBalanced(stack.orm, client.id);
  });

  it('credits nothing and marks the purchase failed when the payment fails', async () => {
    const client = await newClient();
    const purchase = await checkout(stack, client, packageId);
    await deliver(stack, completed(purchase, 'unpaid'));
    await deliver(stack, asyncFailed(purchase));
    await waitFor(
      () => purchaseRow(stack.orm, purchase.id),
      (row) => row.status === 'failed',
    );
    expect(await available(stack.orm, client.id)).toBe(0);
    expect(await ledgerCount(stack.orm, `purchase_id = ?`, [purchase.id])).toBe(0);
  });
});

describe('an abandoned checkout', () => {
  it('is marked expired by checkout.session.expired and credits nothing', async () => {
    const client = await newClient();
    const purchase = await checkout(stack, client, packageId);
    await deliver(
      stack,
      stripeEvent('checkout.session.expired', checkoutSession(purchase, 'unpaid', { status: 'expired', payment_intent: null })),
    );
    await waitFor(
      () => purchaseRow(stack.orm, purchase.id),
      (row) => row.status === 'expired',
    );
    expect(await available(stack.orm, client.id)).toBe(0);
    expect(await ledgerCount(stack.orm, `purchase_id = ?`, [purchase.id])).toBe(0);
  });
});

describe('events out of order', () => {
  it('a partial refund before the completed event: credits the purchase, then takes back the refunded share', async () => {
    const client = await newClient();
    const purchase = await checkout(stack, client, packageId);
    // The charge's metadata names the purchase: its payment intent is not yet recorded anywhere.
    await deliver(stack, chargeRefunded(purchase, 21_000, [{ id: 're_early', amount: 21_000 }]));
    await settled(stack, purchase.id);
    expect(await available(stack.orm, client.id)).toBe(0);

    await deliver(stack, completed(purchase));
    await waitFor(
      () => purchaseRow(stack.orm, purchase.id),
      (row) => row.status === 'partially_refunded',
    );
    await settled(stack, purchase.id);
    expect(await available(stack.orm, client.id)).toBe(7);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({ refundedCents: 21_000, refundedSessions: 3, sessionsOwed: 0 });
    await expectBooksBalanced(stack.orm, client.id);
  });

  it('a full refund, then its duplicate, then the completed event, then the async twin: nothing left, nothing owed', async () => {
    const client = await newClient();
    const purchase = await checkout(stack, client, packageId);
    const refund = chargeRefunded(purchase, 70_000, [{ id: 're_full', amount: 70_000 }]);
    for (const event of [refund, refund, completed(purchase), asyncSucceeded(purchase)]) await deliver(stack, event);
    await waitFor(
      () => purchaseRow(stack.orm, purchase.id),
      (row) => row.status === 'refunded',
    );
    await settled(stack, purchase.id);
    expect(await available(stack.orm, client.id)).toBe(0);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({ refundedSessions: 10, sessionsOwed: 0 });
    expect(await ledgerCount(stack.orm, `purchase_id = ? and kind = 'grant'`, [purchase.id])).toBe(1);
    expect(await ledgerCount(stack.orm, `purchase_id = ? and kind = 'revoke'`, [purchase.id])).toBe(1);
    await expectBooksBalanced(stack.orm, client.id);
  });
});

describe("events that are not this purchase's", () => {
  it('ignore a checkout event naming the purchase but carrying another Checkout Session', async () => {
    const client = await newClient();
    const purchase = await checkout(stack, client, packageId);
    await deliver(stack, stripeEvent('checkout.session.completed', checkoutSession(purchase, 'paid', { id: 'cs_test_someone_elses' })));
    await settled(stack, purchase.id);
    expect(await available(stack.orm, client.id)).toBe(0);
    expect((await purchaseRow(stack.orm, purchase.id)).status).toBe('pending');
  });

  it('answer 200 and change nothing for a checkout without a purchase id of ours', async () => {
    const response = await postEvent(
      stack,
      stripeEvent('checkout.session.completed', {
        id: 'cs_test_foreign',
        object: 'checkout.session',
        payment_status: 'paid',
        client_reference_id: 'order-77',
        metadata: {},
      }),
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ received: true, ignored: expect.any(String) });
  });

  it('answer 200 and start nothing for a refund of a charge that is not a purchase of ours', async () => {
    const foreign = { ...(await checkout(stack, await newClient(), packageId)), paymentIntentId: 'pi_test_not_ours' };
    const response = await postEvent(stack, chargeRefunded(foreign, 500, [{ id: 're_foreign', amount: 500 }], false));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: true, ignored: 'refund of a charge that is not a purchase of ours' });
    expect(await workflowExists(stack, purchaseWorkflowId(foreign.id))).toBe(false);
  });

  it('let a workflow for a purchase id that does not exist end without touching anything', async () => {
    const missing = unusedPurchaseId();
    await deliver(
      stack,
      stripeEvent('checkout.session.completed', {
        id: 'cs_test_missing',
        object: 'checkout.session',
        payment_status: 'paid',
        client_reference_id: String(missing),
        metadata: {},
        payment_intent: 'pi_test_missing',
      }),
    );
    const result = await stack.temporal.workflow.getHandle(purchaseWorkflowId(missing)).result();
    expect(result).toMatchObject({ status: 'unknown', paid: false });
    expect(await ledgerCount(stack.orm, `purchase_id = ?`, [missing])).toBe(0);
  });
});
