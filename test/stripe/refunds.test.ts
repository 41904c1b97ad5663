import { randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCreditActivities } from '../../activities/credits.js';
import { createPurchaseActivities } from '../../activities/purchases.js';
import { createStripeClient } from '../../payments/stripe.js';
import { startStack, type TestStack } from '../support/stack.js';
import {
  unusedPurchaseId,
  account,
  available,
  chargeRefunded,
  checkout,
  completed,
  createPackage,
  deliver,
  expectBooksBalanced,
  ledgerCount,
  purchaseRow,
  settled,
  useCredits,
  waitFor,
  type Account,
  type TestPurchase,
} from '../support/stripe.js';

/**
 * A refund takes back what it paid for, once — floor(refunded /
 * price × sessions) credits in total however many refund events arrive, from this
 * purchase's credits only, never below zero, with what was already used recorded as owed.
 */
let stack: TestStack;
let tenPack: number;
let admin: Account;

beforeAll(async () => {
  stack = await startStack();
  tenPack = await createPackage(stack.orm, { sessions: 10, priceCents: 70_000, validityDays: 180 });
  admin = await account(stack, 'admin');
});
afterAll(async () => {
  await stack?.close();
});

async function paidPurchase(packageId = tenPack, client?: Account): Promise<{ client: Account; purchase: TestPurchase }> {
  const buyer = client ?? (await account(stack, 'client'));
  const purchase = await checkout(stack, buyer, packageId);
  await deliver(stack, completed(purchase));
  await waitFor(
    () => purchaseRow(stack.orm, purchase.id),
    (row) => row.status === 'paid',
  );
  return { client: buyer, purchase };
}

/** Delivers and waits until the workflow has applied it. */
async function deliverSettled(purchase: TestPurchase, event: { id: string }): Promise<void> {
  await deliver(stack, event);
  await settled(stack, purchase.id);
}

describe('refunds reported by Stripe', () => {
  it('take back floor(refunded / price × sessions) cumulatively: repeats and stale events take nothing more', async () => {
    const { client, purchase } = await paidPurchase();

    await deliverSettled(purchase, chargeRefunded(purchase, 21_000, [{ id: 're_a', amount: 21_000 }]));
    expect(await available(stack.orm, client.id)).toBe(7);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({
      status: 'partially_refunded',
      refundedCents: 21_000,
      refundedSessions: 3,
    });
    await expectBooksBalanced(stack.orm, client.id);

    // A second partial refund: the charge now reports 35,000 refunded in total, so 5 sessions, 2 more.
    const second = chargeRefunded(purchase, 35_000, [
      { id: 're_b', amount: 14_000 },
      { id: 're_a', amount: 21_000 },
    ]);
    await deliverSettled(purchase, second);
    expect(await available(stack.orm, client.id)).toBe(5);
    await deliverSettled(purchase, second);
    await deliverSettled(purchase, chargeRefunded(purchase, 21_000, [{ id: 're_a', amount: 21_000 }]));
    expect(await available(stack.orm, client.id)).toBe(5);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({ refundedCents: 35_000, refundedSessions: 5, sessionsOwed: 0 });
    await expectBooksBalanced(stack.orm, client.id);

    await deliverSettled(purchase, chargeRefunded(purchase, 70_000, [{ id: 're_c', amount: 35_000 }]));
    expect(await available(stack.orm, client.id)).toBe(0);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({
      status: 'refunded',
      refundedCents: 70_000,
      refundedSessions: 10,
      sessionsOwed: 0,
    });
    expect(await ledgerCount(stack.orm, `purchase_id = ? and kind = 'revoke'`, [purchase.id])).toBe(3);
    await expectBooksBalanced(stack.orm, client.id);
  });

  it("round down: less than one session's worth takes back nothing until the total reaches a whole session", async () => {
    const threePack = await createPackage(stack.orm, { sessions: 3, priceCents: 10_000 });
    const { client, purchase } = await paidPurchase(threePack);
    await deliverSettled(purchase, chargeRefunded(purchase, 3_000, [{ id: 're_small', amount: 3_000 }]));
    expect(await available(stack.orm, client.id)).toBe(3);
    expect((await purchaseRow(stack.orm, purchase.id)).status).toBe('partially_refunded');
    await deliverSettled(
      purchase,
      chargeRefunded(purchase, 3_400, [
        { id: 're_small', amount: 3_000 },
        { id: 're_more', amount: 400 },
      ]),
    );
    expect(await available(stack.orm, client.id)).toBe(2);
    await expectBooksBalanced(stack.orm, client.id);
  });

  it('after most credits were used: a full refund takes what remains, records the rest as owed, never goes below zero', async () => {
    const { client, purchase } = await paidPurchase();
    await useCredits(stack.orm, client.id, 8);
    expect(await available(stack.orm, client.id)).toBe(2);

    await deliverSettled(purchase, chargeRefunded(purchase, 70_000, [{ id: 're_all', amount: 70_000 }]));
    expect(await available(stack.orm, client.id)).toBe(0);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({ status: 'refunded', refundedSessions: 10, sessionsOwed: 8 });
    await expectBooksBalanced(stack.orm, client.id);
  });

  it("after some use: a partial refund takes back only this purchase's credits, never another grant's", async () => {
    const client = await account(stack, 'client');
    // An admin's allocation that never expires: used last, and no refund of the purchase may touch it.
    await createCreditActivities({ orm: stack.orm }).grantCredits({
      idempotencyKey: `test:${randomUUID()}`,
      clientId: client.id,
      quantity: 5,
      source: 'allocation',
      actor: 'system',
      reason: 'gift',
    });
    const { purchase } = await paidPurchase(tenPack, client);
    await useCredits(stack.orm, client.id, 6); // from the purchase's lot, which expires first
    expect(await available(stack.orm, client.id)).toBe(9);

    await deliverSettled(purchase, chargeRefunded(purchase, 35_000, [{ id: 're_half', amount: 35_000 }]));
    // Half refunded → 5 sessions: the 4 left in the purchase's lot are revoked, 1 is owed, the gift stays.
    expect(await available(stack.orm, client.id)).toBe(5);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({ status: 'partially_refunded', refundedSessions: 5, sessionsOwed: 1 });
    await expectBooksBalanced(stack.orm, client.id);
  });

  it('find the purchase by its payment intent when the charge carries no metadata', async () => {
    const { client, purchase } = await paidPurchase();
    await deliverSettled(purchase, chargeRefunded(purchase, 14_000, [{ id: 're_nometa', amount: 14_000 }], false));
    expect(await available(stack.orm, client.id)).toBe(8);
  });
});

describe('admin refunds', () => {
  const refund = (purchaseId: number, body: object, headers: Record<string, string> = {}, who: Account = admin) =>
    stack.app.inject({
      method: 'POST',
      url: `/api/admin/purchases/${purchaseId}/refund`,
      headers: { ...who.headers, ...headers },
      payload: body,
    });

  it('refund sessions at Stripe, revoke them at once, and the resulting charge.refunded revokes nothing more', async () => {
    const { client, purchase } = await paidPurchase();
    const response = await refund(purchase.id, { sessions: 3, reason: 'moved away' });
    expect(response.statusCode, response.body).toBe(200);
    const outcome = response.json();
    expect(outcome).toMatchObject({
      purchaseId: purchase.id,
      amountCents: 21_000,
      refundedCents: 21_000,
      refundedSessions: 3,
      status: 'partially_refunded',
      simulator: false,
    });
    expect(outcome.refundId).toMatch(/^re_/);
    expect(await available(stack.orm, client.id)).toBe(7);

    // Stripe's webhook for that same refund, then one whose refund list was truncated: no double revoke.
    await deliverSettled(purchase, chargeRefunded(purchase, 21_000, [{ id: outcome.refundId, amount: 21_000 }]));
    await deliverSettled(purchase, chargeRefunded(purchase, 21_000, []));
    expect(await available(stack.orm, client.id)).toBe(7);
    expect(await ledgerCount(stack.orm, `purchase_id = ? and kind = 'revoke'`, [purchase.id])).toBe(1);
    await expectBooksBalanced(stack.orm, client.id);

    // Without an amount: the rest.
    const rest = await refund(purchase.id, {});
    expect(rest.statusCode, rest.body).toBe(200);
    expect(rest.json()).toMatchObject({ amountCents: 49_000, refundedCents: 70_000, status: 'refunded' });
    expect(await available(stack.orm, client.id)).toBe(0);
    await expectBooksBalanced(stack.orm, client.id);
  });

  it('treat one Idempotency-Key as one refund, and refuse it for another amount', async () => {
    const { client, purchase } = await paidPurchase();
    const key = randomUUID();
    const first = await refund(purchase.id, { amountCents: 7_000 }, { 'idempotency-key': key });
    const again = await refund(purchase.id, { amountCents: 7_000 }, { 'idempotency-key': key });
    expect(first.statusCode, first.body).toBe(200);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().refundId).toBe(first.json().refundId);
    const other = await refund(purchase.id, { amountCents: 14_000 }, { 'idempotency-key': key });
    expect(other.statusCode, other.body).toBe(422);
    expect(other.json().code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(await available(stack.orm, client.id)).toBe(9);
    expect((await purchaseRow(stack.orm, purchase.id)).refundedCents).toBe(7_000);
  });

  it('refuse what cannot be refunded with a clear 4xx, and refund nothing', async () => {
    const { client, purchase } = await paidPurchase();
    const cases: Array<[object, number, string]> = [
      [{ sessions: 2, amountCents: 100 }, 400, 'INVALID_REQUEST'],
      [{ amountCents: 70_001 }, 400, 'INVALID_REQUEST'],
      [{ sessions: 11 }, 400, 'INVALID_REQUEST'],
      [{ sessions: 0 }, 400, 'VALIDATION_FAILED'],
      [{ amountCents: 'lots' }, 400, 'VALIDATION_FAILED'],
      [{ refundEverything: true }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of cases) {
      const response = await refund(purchase.id, body);
      expect(response.statusCode, JSON.stringify(body)).toBe(status);
      expect(response.json()).toMatchObject({ code, message: expect.any(String) });
    }
    expect(await available(stack.orm, client.id)).toBe(10);

    const unpaid = await checkout(stack, client, tenPack);
    expect((await refund(unpaid.id, { sessions: 1 })).statusCode).toBe(409);
    expect((await refund(unusedPurchaseId(), { sessions: 1 })).json()).toMatchObject({ code: 'NOT_FOUND' });
    expect((await refund(purchase.id, { sessions: 1 }, {}, client)).statusCode).toBe(403);
    const anonymous = await stack.app.inject({ method: 'POST', url: `/api/admin/purchases/${purchase.id}/refund`, payload: {} });
    expect(anonymous.statusCode).toBe(401);
    expect(
      (await stack.app.inject({ method: 'POST', url: '/api/admin/purchases/abc/refund', headers: admin.headers, payload: {} })).statusCode,
    ).toBe(400);

    expect((await refund(purchase.id, {})).statusCode).toBe(200);
    const twice = await refund(purchase.id, { sessions: 1 });
    expect(twice.statusCode).toBe(409);
    expect(twice.json()).toMatchObject({ code: 'CONFLICT' });
    expect(await available(stack.orm, client.id)).toBe(0);
    await expectBooksBalanced(stack.orm, client.id);
  });

  it('send Stripe the refund with the idempotency key the workflow chose', async () => {
    const stripe = createStripeClient(stack.settings)!;
    const requests: Stripe.RequestEvent[] = [];
    stripe.on('request', (event: Stripe.RequestEvent) => requests.push(event));
    const activities = createPurchaseActivities({ orm: stack.orm, settings: stack.settings, stripe });
    const request = {
      purchaseId: 1,
      paymentIntentId: 'pi_test_key',
      amountCents: 1_234,
      currency: 'usd',
      chargeAmountCents: 70_000,
      refundedBeforeCents: 0,
      idempotencyKey: 'refund-1-run-1',
      reason: null,
    };
    const issued = await activities.refundPayment(request);
    expect(issued).toMatchObject({ amountCents: 1_234, refundId: expect.stringMatching(/^re_/) });
    expect(requests).toEqual([expect.objectContaining({ method: 'POST', path: '/v1/refunds', idempotency_key: 'refund-1-run-1' })]);
  });
});
