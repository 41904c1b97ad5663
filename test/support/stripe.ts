import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { expect } from 'vitest';
import { WorkflowNotFoundError } from '@temporalio/client';
import type { Role } from '../../model/entities/user.js';
import { appendEntry, lockClient, takeFromEarliestLot } from '../../model/ledger.js';
import type { Orm } from '../../model/orm.js';
import { inTransaction, query } from '../../model/transaction.js';
import { purchaseWorkflowId } from '../../workflows/definitions.js';
import type { TestStack } from './stack.js';
import { createUser, type TestUser } from './actors.js';

/**
 * Playing Stripe in tests: events shaped like Stripe's (written here independently of
 * the simulator, so a wrong simulator cannot hide a wrong webhook), signed with
 * Stripe's own test helper and posted to the real endpoint; plus the accounts, packages
 * and ledger checks the purchase tests share.
 */

/** The purchase tests' name for the shared test account helper. */
export type Account = TestUser;
export const account = (stack: TestStack, role: Role): Promise<Account> => createUser(stack, role);

/** An id no test file's rows reach (test databases start theirs below 2,001,000,000), different at each call. */
export const unusedPurchaseId = () => 2_100_000_000 + Math.floor(Math.random() * 47_000_000);

export async function createPackage(
  orm: Orm,
  pkg: { sessions: number; priceCents: number; validityDays?: number | null; name?: string },
): Promise<number> {
  const [row] = await query<{ id: number }>(
    orm,
    `insert into packages (name, sessions, price_cents, currency, validity_days) values (?, ?, ?, 'usd', ?) returning id`,
    [pkg.name ?? `${pkg.sessions}-session pack`, pkg.sessions, pkg.priceCents, pkg.validityDays === undefined ? 90 : pkg.validityDays],
  );
  return row!.id;
}

/** A purchase opened through the real checkout route, with the Stripe ids its events will carry. */
export interface TestPurchase {
  id: number;
  clientId: number;
  amountCents: number;
  sessions: number;
  checkoutSessionId: string;
  paymentIntentId: string;
  chargeId: string;
  disputeId: string;
  url: string;
}

export async function checkout(stack: TestStack, client: Account, packageId: number): Promise<TestPurchase> {
  const response = await stack.app.inject({ method: 'POST', url: '/api/checkout', headers: client.headers, payload: { packageId } });
  expect(response.statusCode, response.body).toBe(201);
  const { purchaseId, url } = response.json() as { purchaseId: number; url: string };
  const [row] = await query<{ sessionId: string; amountCents: number; sessions: number }>(
    stack.orm,
    `select stripe_checkout_session_id as "sessionId", amount_cents as "amountCents", sessions from purchases where id = ?`,
    [purchaseId],
  );
  const suffix = randomBytes(8).toString('hex');
  return {
    id: purchaseId,
    clientId: client.id,
    amountCents: row!.amountCents,
    sessions: row!.sessions,
    url,
    checkoutSessionId: row!.sessionId,
    paymentIntentId: `pi_test_${suffix}`,
    chargeId: `ch_test_${suffix}`,
    disputeId: `dp_test_${suffix}`,
  };
}

// --- Events, as Stripe shapes them ---------------------------------------------------------

export function stripeEvent(type: string, object: Record<string, unknown>, created = Math.floor(Date.now() / 1000)) {
  return {
    id: `evt_test_${randomBytes(10).toString('hex')}`,
    object: 'event',
    api_version: '2026-10-28.endive',
    created,
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

export function checkoutSession(purchase: TestPurchase, paymentStatus: 'paid' | 'unpaid', overrides: Record<string, unknown> = {}) {
  return {
    id: purchase.checkoutSessionId,
    object: 'checkout.session',
    mode: 'payment',
    status: 'complete',
    payment_status: paymentStatus,
    client_reference_id: String(purchase.id),
    metadata: { purchaseId: String(purchase.id) },
    amount_total: purchase.amountCents,
    currency: 'usd',
    payment_intent: purchase.paymentIntentId,
    customer: null,
    ...overrides,
  };
}

export const completed = (purchase: TestPurchase, paymentStatus: 'paid' | 'unpaid' = 'paid') =>
  stripeEvent('checkout.session.completed', checkoutSession(purchase, paymentStatus));
export const asyncSucceeded = (purchase: TestPurchase) =>
  stripeEvent('checkout.session.async_payment_succeeded', checkoutSession(purchase, 'paid'));
export const asyncFailed = (purchase: TestPurchase) =>
  stripeEvent('checkout.session.async_payment_failed', checkoutSession(purchase, 'unpaid'));

/** `charge.refunded` after refunds totalling `amountRefunded` (Stripe's cumulative figure). */
export function chargeRefunded(
  purchase: TestPurchase,
  amountRefunded: number,
  refunds: Array<{ id: string; amount: number }> = [],
  metadata = true,
) {
  return stripeEvent('charge.refunded', {
    id: purchase.chargeId,
    object: 'charge',
    amount: purchase.amountCents,
    amount_refunded: amountRefunded,
    currency: 'usd',
    paid: true,
    refunded: amountRefunded >= purchase.amountCents,
    payment_intent: purchase.paymentIntentId,
    metadata: metadata ? { purchaseId: String(purchase.id) } : {},
    refunds: {
      object: 'list',
      has_more: false,
      data: refunds.map((refund) => ({
        id: refund.id,
        object: 'refund',
        amount: refund.amount,
        status: 'succeeded',
        charge: purchase.chargeId,
      })),
    },
  });
}

export function disputeEvent(purchase: TestPurchase, type: 'created' | 'updated' | 'closed', status: string) {
  return stripeEvent(`charge.dispute.${type}`, {
    id: purchase.disputeId,
    object: 'dispute',
    amount: purchase.amountCents,
    currency: 'usd',
    charge: purchase.chargeId,
    payment_intent: purchase.paymentIntentId,
    reason: 'fraudulent',
    status,
    metadata: {},
  });
}

/** Posts to the real webhook endpoint, signed the way Stripe signs (override anything to attack it). */
export function postEvent(
  stack: TestStack,
  event: object | string,
  options: { secret?: string; timestamp?: number; signature?: string; body?: string; contentType?: string } = {},
) {
  const payload = typeof event === 'string' ? event : JSON.stringify(event);
  const signature =
    options.signature ??
    Stripe.webhooks.generateTestHeaderString({
      payload,
      secret: options.secret ?? stack.settings.stripe.webhookSecret,
      ...(options.timestamp === undefined ? {} : { timestamp: options.timestamp }),
    });
  return stack.app.inject({
    method: 'POST',
    url: '/api/webhooks/stripe',
    headers: { 'content-type': options.contentType ?? 'application/json', 'stripe-signature': signature },
    payload: options.body ?? payload,
  });
}

/** Stripe got its 2xx and the webhook's relay has handed the event to its workflow. */
export async function deliver(stack: TestStack, event: { id: string }): Promise<void> {
  const response = await postEvent(stack, event);
  expect(response.statusCode, response.body).toBe(200);
  expect(response.json()).toEqual({ received: true });
  await relayed(stack, `event_id = ?`, [event.id]);
}

/** Until every stored Stripe event matching `where` has been handed to Temporal (the webhook answers before that). */
export async function relayed(stack: TestStack, where: string, params: unknown[] = []): Promise<void> {
  await waitFor(
    async () => {
      const [row] = await query<{ count: number }>(
        stack.orm,
        `select count(*)::int as count from stripe_events where relayed_at is null and ${where}`,
        params,
      );
      return row!.count;
    },
    (waiting) => waiting === 0,
  );
}

// --- Waiting and looking ----------------------------------------------------------------

/** `explain` adds what the failure should show besides the last value (a workflow's history, say). */
export async function waitFor<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
  explain?: () => Promise<string>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) {
      throw new Error(`waited ${timeoutMs} ms; last seen ${JSON.stringify(value)}${explain ? `\n${await explain()}` : ''}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/**
 * Waits until the purchase's workflow has handled everything delivered to it: every
 * stored event relayed, no task pending and the history no longer growing. Then its effects are all in the database.
 */
export async function settled(stack: TestStack, purchaseId: number, timeoutMs = 15_000): Promise<void> {
  await relayed(stack, `purchase_id = ?`, [purchaseId]);
  const handle = stack.temporal.workflow.getHandle(purchaseWorkflowId(purchaseId));
  let previous = -1;
  await waitFor(
    async () => {
      const { raw, historyLength } = await handle.describe();
      const idle = !raw.pendingWorkflowTask && (raw.pendingActivities?.length ?? 0) === 0;
      const stable = idle && historyLength === previous;
      previous = historyLength;
      return stable;
    },
    Boolean,
    timeoutMs,
  );
}

export async function workflowExists(stack: TestStack, workflowId: string): Promise<boolean> {
  try {
    await stack.temporal.workflow.getHandle(workflowId).describe();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}

export interface PurchaseRow {
  status: string;
  refundedCents: number;
  refundedSessions: number;
  sessionsOwed: number;
  disputeStatus: string | null;
  disputeHeld: number;
  paymentIntentId: string | null;
  paidAt: Date | null;
}

export async function purchaseRow(orm: Orm, purchaseId: number): Promise<PurchaseRow> {
  const [row] = await query<PurchaseRow & Record<string, unknown>>(
    orm,
    `select status, refunded_cents as "refundedCents", refunded_sessions as "refundedSessions", sessions_owed as "sessionsOwed",
        dispute_status as "disputeStatus", dispute_held_sessions as "disputeHeld",
        stripe_payment_intent_id as "paymentIntentId", paid_at as "paidAt"
       from purchases where id = ?`,
    [purchaseId],
  );
  return row!;
}

export async function available(orm: Orm, clientId: number): Promise<number> {
  const [row] = await query<{ available: number }>(orm, `select available_sessions as available from users where id = ?`, [clientId]);
  return row!.available;
}

export async function ledgerCount(orm: Orm, where: string, params: unknown[] = []): Promise<number> {
  const [row] = await query<{ count: number }>(orm, `select count(*)::int as count from ledger_entries where ${where}`, params);
  return row!.count;
}

/**
 * The ledger's invariants (docs/domain.md) for one client: the cached balance equals the ledger's sum and the live
 * lots' remaining credits, every running balance in the ledger is non-negative and
 * follows from the one before it.
 */
export async function expectBooksBalanced(orm: Orm, clientId: number): Promise<number> {
  const entries = await query<{ delta: number; heldDelta: number; balanceAfter: number; heldAfter: number }>(
    orm,
    `select delta, held_delta as "heldDelta", balance_after as "balanceAfter", held_after as "heldAfter"
       from ledger_entries where client_id = ? order by id`,
    [clientId],
  );
  let balance = 0;
  let held = 0;
  for (const entry of entries) {
    balance += entry.delta;
    held += entry.heldDelta;
    expect(entry.balanceAfter).toBe(balance);
    expect(entry.heldAfter).toBe(held);
    expect(balance).toBeGreaterThanOrEqual(0);
  }
  const [row] = await query<{ cached: number; lots: number }>(
    orm,
    `select u.available_sessions as cached,
        coalesce((select sum(remaining) from credit_lots where client_id = u.id and (expires_at is null or expires_at > now())), 0)::int as lots
       from users u where u.id = ?`,
    [clientId],
  );
  expect(row!.cached, 'cached balance = ledger sum').toBe(balance);
  expect(row!.lots, 'live lots = available credits').toBe(balance);
  return balance;
}

/** Credits a client used, the way a booking uses them: hold one from the earliest lot, then consume it. */
export async function useCredits(orm: Orm, clientId: number, count: number): Promise<void> {
  for (let index = 0; index < count; index += 1) {
    await inTransaction(orm, async (sql) => {
      await lockClient(sql, clientId);
      const lotId = await takeFromEarliestLot(sql, clientId);
      if (!lotId) throw new Error('no credit to use');
      const key = `test-use:${randomBytes(6).toString('hex')}`;
      const trace = { workflowId: null, runId: null };
      await appendEntry(sql, {
        clientId,
        kind: 'hold',
        delta: -1,
        heldDelta: 1,
        lotId,
        actor: 'test',
        reason: 'booked',
        idempotencyKey: `${key}:hold`,
        trace,
      });
      await appendEntry(sql, {
        clientId,
        kind: 'consume',
        delta: 0,
        heldDelta: -1,
        lotId,
        actor: 'test',
        reason: 'attended',
        idempotencyKey: `${key}:consume`,
        trace,
      });
    });
  }
}
