import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCreditActivities } from '../../activities/credits.js';
import { query } from '../../model/transaction.js';
import { startStack, type TestStack } from '../support/stack.js';
import {
  account,
  available,
  chargeRefunded,
  checkout,
  completed,
  createPackage,
  deliver,
  disputeEvent,
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
 * Disputes: opening one holds the purchase's remaining credits (revoked, remembered);
 * winning gives them back with the original expiry; losing keeps them and records the
 * used ones as owed. Credits from other grants are never touched, and events about a
 * decided dispute change nothing, in whatever order they come.
 */
let stack: TestStack;
let tenPack: number;

beforeAll(async () => {
  stack = await startStack();
  tenPack = await createPackage(stack.orm, { sessions: 10, priceCents: 70_000, validityDays: 180 });
});
afterAll(async () => {
  await stack?.close();
});

/** A client with a 5-credit gift (never expiring) who bought 10 sessions and used `used` of them. */
async function buyerWhoUsed(used: number): Promise<{ client: Account; purchase: TestPurchase }> {
  const client = await account(stack, 'client');
  await createCreditActivities({ orm: stack.orm }).grantCredits({
    idempotencyKey: `test:${randomUUID()}`,
    clientId: client.id,
    quantity: 5,
    source: 'allocation',
    actor: 'system',
    reason: 'gift',
  });
  const purchase = await checkout(stack, client, tenPack);
  await deliver(stack, completed(purchase));
  await waitFor(
    () => purchaseRow(stack.orm, purchase.id),
    (row) => row.status === 'paid',
  );
  await useCredits(stack.orm, client.id, used);
  return { client, purchase };
}

async function deliverSettled(purchase: TestPurchase, event: { id: string }): Promise<void> {
  await deliver(stack, event);
  await settled(stack, purchase.id);
}

describe('a dispute', () => {
  it("opened holds the purchase's remaining credits; won restores them with the original expiry", async () => {
    const { client, purchase } = await buyerWhoUsed(3);
    expect(await available(stack.orm, client.id)).toBe(12);

    await deliverSettled(purchase, disputeEvent(purchase, 'created', 'needs_response'));
    expect(await available(stack.orm, client.id)).toBe(5);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({
      status: 'disputed',
      disputeStatus: 'open',
      disputeHeld: 7,
      sessionsOwed: 0,
    });
    await expectBooksBalanced(stack.orm, client.id);

    await deliverSettled(purchase, disputeEvent(purchase, 'updated', 'under_review'));
    expect(await available(stack.orm, client.id)).toBe(5);

    await deliverSettled(purchase, disputeEvent(purchase, 'closed', 'won'));
    expect(await available(stack.orm, client.id)).toBe(12);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({
      status: 'paid',
      disputeStatus: 'won',
      disputeHeld: 0,
      sessionsOwed: 0,
    });
    const lots = await query<{ source: string; quantity: number; expiresAt: Date }>(
      stack.orm,
      `select source, quantity, expires_at as "expiresAt" from credit_lots where purchase_id = ? order by id`,
      [purchase.id],
    );
    expect(lots.map((lot) => [lot.source, lot.quantity])).toEqual([
      ['purchase', 10],
      ['restore', 7],
    ]);
    expect(lots[1]!.expiresAt.getTime()).toBe(lots[0]!.expiresAt.getTime());

    // A late, redelivered "created" after the decision changes nothing.
    await deliverSettled(purchase, disputeEvent(purchase, 'created', 'needs_response'));
    expect(await available(stack.orm, client.id)).toBe(12);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({ status: 'paid', disputeStatus: 'won' });
    expect(await ledgerCount(stack.orm, `purchase_id = ? and kind = 'revoke'`, [purchase.id])).toBe(1);
    expect(await ledgerCount(stack.orm, `purchase_id = ? and kind = 'grant'`, [purchase.id])).toBe(2);
    await expectBooksBalanced(stack.orm, client.id);
  });

  it('lost keeps the held credits taken and records the used ones as owed, once', async () => {
    const { client, purchase } = await buyerWhoUsed(3);
    await deliverSettled(purchase, disputeEvent(purchase, 'created', 'needs_response'));
    const lost = disputeEvent(purchase, 'closed', 'lost');
    await deliverSettled(purchase, lost);
    await deliverSettled(purchase, lost);
    expect(await available(stack.orm, client.id)).toBe(5);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({
      status: 'disputed',
      disputeStatus: 'lost',
      disputeHeld: 7,
      sessionsOwed: 3,
    });
    expect(await ledgerCount(stack.orm, `purchase_id = ? and kind = 'revoke'`, [purchase.id])).toBe(1);
    await expectBooksBalanced(stack.orm, client.id);
  });

  it('lost reported before the dispute was opened reaches the same end state', async () => {
    const { client, purchase } = await buyerWhoUsed(3);
    await deliverSettled(purchase, disputeEvent(purchase, 'closed', 'lost'));
    await deliverSettled(purchase, disputeEvent(purchase, 'created', 'needs_response'));
    expect(await available(stack.orm, client.id)).toBe(5);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({
      status: 'disputed',
      disputeStatus: 'lost',
      disputeHeld: 7,
      sessionsOwed: 3,
    });
    await expectBooksBalanced(stack.orm, client.id);
  });

  it('won reported before the dispute was opened leaves the credits alone', async () => {
    const { client, purchase } = await buyerWhoUsed(2);
    await deliverSettled(purchase, disputeEvent(purchase, 'closed', 'won'));
    await deliverSettled(purchase, disputeEvent(purchase, 'created', 'needs_response'));
    expect(await available(stack.orm, client.id)).toBe(13);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({ status: 'paid', disputeStatus: 'won', disputeHeld: 0 });
    expect(await ledgerCount(stack.orm, `purchase_id = ? and kind = 'revoke'`, [purchase.id])).toBe(0);
  });

  it('a refund reported during the dispute counts against the held credits; winning restores only the rest', async () => {
    const { client, purchase } = await buyerWhoUsed(0);
    await deliverSettled(purchase, disputeEvent(purchase, 'created', 'needs_response'));
    expect(await available(stack.orm, client.id)).toBe(5);
    await deliverSettled(purchase, chargeRefunded(purchase, 21_000, [{ id: 're_before_dispute', amount: 21_000 }]));
    expect(await available(stack.orm, client.id)).toBe(5);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({ disputeHeld: 7, refundedSessions: 3, sessionsOwed: 0 });

    await deliverSettled(purchase, disputeEvent(purchase, 'closed', 'won'));
    expect(await available(stack.orm, client.id)).toBe(12);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({
      status: 'partially_refunded',
      disputeStatus: 'won',
      refundedSessions: 3,
    });
    await expectBooksBalanced(stack.orm, client.id);
  });

  it('blocks admin refunds while it is open', async () => {
    const admin = await account(stack, 'admin');
    const { purchase } = await buyerWhoUsed(0);
    await deliverSettled(purchase, disputeEvent(purchase, 'created', 'needs_response'));
    const response = await stack.app.inject({
      method: 'POST',
      url: `/api/admin/purchases/${purchase.id}/refund`,
      headers: admin.headers,
      payload: { sessions: 1 },
    });
    expect(response.statusCode).toBe(409);
    expect(response.json().message).toMatch(/disputed/);
  });
});
