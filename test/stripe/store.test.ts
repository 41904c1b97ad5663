import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { purchaseWorkflowId } from '../../workflows/definitions.js';
import { startStack, type TestStack } from '../support/stack.js';
import {
  account,
  available,
  checkout,
  completed,
  createPackage,
  deliver,
  expectBooksBalanced,
  purchaseRow,
  waitFor,
  type Account,
} from '../support/stripe.js';

/**
 * The store's HTTP surface against stripe-mock (Stripe's API mock, which validates every
 * parameter we send against Stripe's published schema), and the seed's protocol with
 * the real purchase step in the middle.
 */
let stack: TestStack;
let client: Account;
let admin: Account;

beforeAll(async () => {
  stack = await startStack();
  client = await account(stack, 'client');
  admin = await account(stack, 'admin');
});
afterAll(async () => {
  await stack?.close();
});

describe('GET /api/packages', () => {
  it("lists the packages on sale to anyone, in the contract's shape", async () => {
    const ten = await createPackage(stack.orm, { name: 'Ten', sessions: 10, priceCents: 70_000, validityDays: 180 });
    const forever = await createPackage(stack.orm, { name: 'Forever one', sessions: 1, priceCents: 9_000, validityDays: null });
    const retired = await createPackage(stack.orm, { name: 'Retired', sessions: 5, priceCents: 1_000 });
    await query(stack.orm, `update packages set active = false where id = ?`, [retired]);

    const response = await stack.app.inject({ method: 'GET', url: '/api/packages' });
    expect(response.statusCode).toBe(200);
    const packages = response.json() as Array<Record<string, unknown>>;
    expect(packages).toEqual(
      expect.arrayContaining([
        { id: ten, name: 'Ten', sessions: 10, priceCents: 70_000, currency: 'usd', validityDays: 180 },
        { id: forever, name: 'Forever one', sessions: 1, priceCents: 9_000, currency: 'usd', validityDays: null },
      ]),
    );
    expect(packages.map((pkg) => pkg.id)).not.toContain(retired);
  });
});

describe('POST /api/checkout', () => {
  it("opens a Stripe Checkout Session for a pending purchase and keeps the client's Stripe customer", async () => {
    const buyer = await account(stack, 'client');
    const packageId = await createPackage(stack.orm, { sessions: 5, priceCents: 40_000 });
    const response = await stack.app.inject({ method: 'POST', url: '/api/checkout', headers: buyer.headers, payload: { packageId } });
    expect(response.statusCode, response.body).toBe(201);
    const { purchaseId, url, simulator } = response.json();
    expect(simulator).toBe(false);
    expect(url).toMatch(/^https:\/\//);

    const [row] = await query<{ status: string; sessionId: string; workflowId: string; sessions: number; amountCents: number }>(
      stack.orm,
      `select status, stripe_checkout_session_id as "sessionId", workflow_id as "workflowId", sessions, amount_cents as "amountCents"
         from purchases where id = ?`,
      [purchaseId],
    );
    expect(row).toMatchObject({ status: 'pending', workflowId: purchaseWorkflowId(purchaseId), sessions: 5, amountCents: 40_000 });
    expect(row!.sessionId).toMatch(/^cs_/);
    const customer = async () =>
      (await query<{ id: string | null }>(stack.orm, `select stripe_customer_id as id from users where id = ?`, [buyer.id]))[0]!.id;
    const first = await customer();
    expect(first).toMatch(/^cus_/);

    const second = await stack.app.inject({ method: 'POST', url: '/api/checkout', headers: buyer.headers, payload: { packageId } });
    expect(second.statusCode).toBe(201);
    expect(second.json().purchaseId).not.toBe(purchaseId);
    expect(await customer()).toBe(first);
  });

  it('answers bad requests with clean 4xx and creates no purchase', async () => {
    const [{ count: before }] = (await query<{ count: number }>(stack.orm, `select count(*)::int as count from purchases`)) as [
      { count: number },
    ];
    const retired = await createPackage(stack.orm, { sessions: 2, priceCents: 100 });
    await query(stack.orm, `update packages set active = false where id = ?`, [retired]);
    const post = (payload: unknown, headers: Record<string, string> = client.headers) =>
      stack.app.inject({ method: 'POST', url: '/api/checkout', headers, payload: payload as object });

    const cases: Array<[Awaited<ReturnType<typeof post>>, number, string]> = [
      [await post({ packageId: 424_242 }), 404, 'NOT_FOUND'],
      [await post({ packageId: retired }), 404, 'NOT_FOUND'],
      [await post({}), 400, 'VALIDATION_FAILED'],
      [await post({ packageId: 'ten' }), 400, 'VALIDATION_FAILED'],
      [await post({ packageId: -1 }), 400, 'VALIDATION_FAILED'],
      [await post({ packageId: retired }, {}), 401, 'UNAUTHENTICATED'],
      [await post({ packageId: retired }, admin.headers), 403, 'FORBIDDEN'],
    ];
    for (const [response, status, code] of cases) {
      expect(response.statusCode, response.body).toBe(status);
      expect(response.json()).toMatchObject({ code, message: expect.any(String) });
    }
    const [{ count: after }] = (await query<{ count: number }>(stack.orm, `select count(*)::int as count from purchases`)) as [
      { count: number },
    ];
    expect(after).toBe(before);
  });
});

describe('with Stripe configured', () => {
  it('serves no checkout simulator', async () => {
    const purchase = await checkout(stack, client, await createPackage(stack.orm, { sessions: 1, priceCents: 5_000 }));
    const page = await stack.app.inject({ method: 'GET', url: `/checkout/simulator/${purchase.id}?token=anything` });
    expect(page.statusCode).toBe(404);
    const pay = await stack.app.inject({
      method: 'POST',
      url: `/checkout/simulator/${purchase.id}/pay`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'token=anything&method=card',
    });
    expect(pay.statusCode).toBe(404);
  });
});

describe("the seed's protocol with a real purchase", () => {
  it('0 → admin +5 → purchase of 3 paid through Stripe → 8 → book 2 → 6, the same on every screen', async () => {
    const member = await account(stack, 'client');
    expect(await available(stack.orm, member.id)).toBe(0);

    const granted = await stack.app.inject({
      method: 'POST',
      url: '/api/sessions/add-to-user',
      headers: { ...admin.headers, 'idempotency-key': randomUUID() },
      payload: { userId: member.id, sessions: 5, reason: 'welcome' },
    });
    expect(granted.json().data.availableSessions).toBe(5);

    const threePack = await createPackage(stack.orm, { sessions: 3, priceCents: 24_000 });
    const purchase = await checkout(stack, member, threePack);
    await deliver(stack, completed(purchase));
    expect(
      await waitFor(
        () => available(stack.orm, member.id),
        (credits) => credits === 8,
      ),
    ).toBe(8);
    // The grant comes first, then the purchase is marked paid, a moment later.
    await waitFor(
      () => purchaseRow(stack.orm, purchase.id),
      (row) => row.status === 'paid',
    );

    const trainer = await account(stack, 'trainer');
    for (let i = 0; i < 2; i += 1) {
      const session = await stack.app.inject({
        method: 'POST',
        url: '/api/sessions',
        headers: admin.headers,
        payload: { trainerId: trainer.id, startsAt: new Date(Date.now() + (48 + 2 * i) * 3_600_000).toISOString(), durationMinutes: 60 },
      });
      const booked = await stack.app.inject({
        method: 'POST',
        url: `/api/sessions/book/${member.id}`,
        headers: member.headers,
        payload: { sessionId: session.json().id },
      });
      expect(booked.json()).toMatchObject({ message: 'Session booked successfully.', availableSessions: 7 - i });
    }
    const expected = { userId: member.id, available: 6, scheduled: 2, completed: 0, cancelled: 0, total: 8 };
    expect((await stack.app.inject({ url: `/api/sessions/user-summary/${member.id}`, headers: admin.headers })).json().data).toEqual(
      expected,
    );
    expect((await stack.app.inject({ url: '/api/me/summary', headers: member.headers })).json().data).toEqual(expected);
    const listed = (await stack.app.inject({ url: '/api/sessions/clients', headers: admin.headers })).json();
    expect(listed.find((row: { id: number }) => row.id === member.id)).toMatchObject({
      availableSessions: 6,
      totalSessionsPurchased: 3,
      sessionsUsed: 0,
    });
    expect(await expectBooksBalanced(stack.orm, member.id)).toBe(6);
  });
});
