import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { purchaseWorkflowId } from '../../workflows/definitions.js';
import { startStack, type TestStack } from '../support/stack.js';
import {
  unusedPurchaseId,
  account,
  available,
  checkout,
  completed,
  createPackage,
  ledgerCount,
  postEvent,
  stripeEvent,
  workflowExists,
  type Account,
  type TestPurchase,
} from '../support/stripe.js';

/**
 * The webhook accepts only events Stripe signed with this endpoint's secret, over the
 * exact bytes received, within the tolerance window. Anything else is a 400 with
 * `{ message, code }`, and nothing happens: no workflow starts, no row changes.
 */
let stack: TestStack;
let client: Account;
let packageId: number;

beforeAll(async () => {
  stack = await startStack();
  client = await account(stack, 'client');
  packageId = await createPackage(stack.orm, { sessions: 10, priceCents: 70_000 });
});
afterAll(async () => {
  await stack?.close();
});

async function expectUntouched(purchase: TestPurchase, before: { updatedAt: Date }): Promise<void> {
  expect(await workflowExists(stack, purchaseWorkflowId(purchase.id)), 'a workflow was started').toBe(false);
  const [row] = await query<{ status: string; updatedAt: Date; paymentIntentId: string | null }>(
    stack.orm,
    `select status, updated_at as "updatedAt", stripe_payment_intent_id as "paymentIntentId" from purchases where id = ?`,
    [purchase.id],
  );
  expect(row).toEqual({ status: 'pending', updatedAt: before.updatedAt, paymentIntentId: null });
  expect(await ledgerCount(stack.orm, `purchase_id = ?`, [purchase.id])).toBe(0);
  expect(await available(stack.orm, client.id)).toBe(0);
}

async function attack(send: (purchase: TestPurchase, body: string) => ReturnType<typeof postEvent>, code: string): Promise<void> {
  const purchase = await checkout(stack, client, packageId);
  const [before] = await query<{ updatedAt: Date }>(stack.orm, `select updated_at as "updatedAt" from purchases where id = ?`, [
    purchase.id,
  ]);
  const response = await send(purchase, JSON.stringify(completed(purchase)));
  expect(response.statusCode, response.body).toBe(400);
  expect(response.json()).toEqual({ message: expect.any(String), code });
  await expectUntouched(purchase, before!);
}

describe('the Stripe webhook refuses, with 400 and no effect,', () => {
  it('a forged signature', () =>
    attack(
      (_purchase, body) =>
        postEvent(stack, body, {
          signature: `t=${Math.floor(Date.now() / 1000)},v1=${randomBytes(32).toString('hex')}`,
        }),
      'INVALID_SIGNATURE',
    ));

  it('a signature made with another secret', () =>
    attack((_purchase, body) => postEvent(stack, body, { secret: 'whsec_not_ours' }), 'INVALID_SIGNATURE'));

  it('a timestamp outside the 300 s tolerance (a replay)', () =>
    attack(
      (_purchase, body) =>
        postEvent(stack, body, {
          timestamp: Math.floor(Date.now() / 1000) - 301,
        }),
      'INVALID_SIGNATURE',
    ));

  it('a body altered after signing', () =>
    attack(
      (_purchase, body) =>
        postEvent(stack, body, {
          body: body.replace('"payment_status":"paid"', '"payment_status":"paid" '),
        }),
      'INVALID_SIGNATURE',
    ));

  it('a body altered to name another purchase', () =>
    attack(async (purchase, body) => {
      const other = await checkout(stack, client, packageId);
      return postEvent(stack, body, { body: body.replaceAll(`"${purchase.id}"`, `"${other.id}"`) });
    }, 'INVALID_SIGNATURE'));

  it('a missing Stripe-Signature header', () =>
    attack(
      (_purchase, body) =>
        stack.app.inject({
          method: 'POST',
          url: '/api/webhooks/stripe',
          headers: { 'content-type': 'application/json' },
          payload: body,
        }),
      'INVALID_SIGNATURE',
    ));

  it('a correctly signed body that is not JSON', () =>
    attack(() => postEvent(stack, 'checkout.session.completed purchase=1'), 'INVALID_PAYLOAD'));

  it('a correctly signed JSON body that is not a Stripe event', () =>
    attack(() => postEvent(stack, { hello: 'world' }), 'INVALID_PAYLOAD'));

  it('an empty body', () =>
    attack(
      () =>
        stack.app.inject({
          method: 'POST',
          url: '/api/webhooks/stripe',
          headers: {
            'content-type': 'application/json',
            'stripe-signature': Stripe.webhooks.generateTestHeaderString({ payload: '', secret: stack.settings.stripe.webhookSecret }),
          },
        }),
      'INVALID_PAYLOAD',
    ));
});

describe('the Stripe webhook', () => {
  it('answers 200 to event types it does not use, and starts nothing', async () => {
    const purchaseId = unusedPurchaseId();
    const event = stripeEvent('customer.created', { id: 'cus_test_1', object: 'customer', metadata: { purchaseId: String(purchaseId) } });
    const response = await postEvent(stack, event);
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ received: true, ignored: 'event type customer.created is not used' });
    expect(await workflowExists(stack, purchaseWorkflowId(purchaseId))).toBe(false);
  });

  it('keeps raw bodies to itself: other routes still parse JSON', async () => {
    const response = await stack.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      payload: { email: 'nobody@x.test', password: 'nope-nope' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json().code).toBe('INVALID_CREDENTIALS');
  });
});
