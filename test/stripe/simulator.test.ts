import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../launcher/free-port.js';
import { startStack, type TestStack } from '../support/stack.js';
import {
  account,
  available,
  checkout,
  createPackage,
  expectBooksBalanced,
  ledgerCount,
  purchaseRow,
  settled,
  waitFor,
  type Account,
  type TestPurchase,
} from '../support/stripe.js';

/**
 * Without Stripe keys (and without stripe-mock) the whole purchase flow still runs for
 * real: the simulator page's buttons make the API post signed Stripe events to its own
 * webhook over HTTP, through the same verification and workflow; refunds do the same.
 */
let stack: TestStack;
let client: Account;
let admin: Account;
let packageId: number;

beforeAll(async () => {
  const port = await freePort();
  stack = await startStack({ STRIPE_API_BASE_URL: '', PORT: String(port), STRIPE_SIMULATOR_SETTLE_MS: '300' });
  await stack.app.listen({ host: '127.0.0.1', port });
  client = await account(stack, 'client');
  admin = await account(stack, 'admin');
  packageId = await createPackage(stack.orm, { sessions: 10, priceCents: 70_000 });
});
afterAll(async () => {
  await stack?.close();
});

const pathOf = (url: string) => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

function pay(purchase: TestPurchase, method: string, token = new URL(purchase.url).searchParams.get('token')!) {
  return stack.app.inject({
    method: 'POST',
    url: `/checkout/simulator/${purchase.id}/pay`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ token, method }).toString(),
  });
}

describe('the checkout simulator', () => {
  it('is what checkout returns, on a page clearly marked as a simulator', async () => {
    const response = await stack.app.inject({ method: 'POST', url: '/api/checkout', headers: client.headers, payload: { packageId } });
    expect(response.statusCode).toBe(201);
    const { url, simulator, purchaseId } = response.json();
    expect(simulator).toBe(true);
    expect(url).toMatch(new RegExp(`^${stack.settings.store.publicUrl}/checkout/simulator/${purchaseId}\\?token=`));

    const page = await stack.app.inject({ method: 'GET', url: pathOf(url) });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toMatch(/text\/html/);
    expect(page.body).toContain('Test checkout — simulator, no card is charged');
    expect(page.body.match(/<button/g)).toHaveLength(3);

    for (const bad of [
      `/checkout/simulator/${purchaseId}`,
      `/checkout/simulator/${purchaseId}?token=forged`,
      `/checkout/simulator/${purchaseId + 1}${new URL(url).search}`,
    ]) {
      expect((await stack.app.inject({ method: 'GET', url: bad })).statusCode, bad).toBe(404);
    }
  });

  it('"Pay with a test card" credits the purchase through the signed webhook', async () => {
    const buyer = await account(stack, 'client');
    const purchase = await checkout(stack, buyer, packageId);
    const response = await pay(purchase, 'card');
    expect(response.statusCode).toBe(303);
    expect(response.headers.location).toBe(`/checkout/return?purchase=${purchase.id}&result=paid`);
    expect(
      await waitFor(
        () => available(stack.orm, buyer.id),
        (credits) => credits === 10,
      ),
    ).toBe(10);
    await waitFor(
      () => purchaseRow(stack.orm, purchase.id),
      (row) => row.status === 'paid',
    );

    const back = await stack.app.inject({ method: 'GET', url: response.headers.location as string });
    expect(back.statusCode).toBe(200);
    expect(back.body).toContain('simulator');

    // Paying twice (a double click) credits nothing more.
    expect((await pay(purchase, 'card')).statusCode).toBe(303);
    await settled(stack, purchase.id);
    expect(await available(stack.orm, buyer.id)).toBe(10);
    await expectBooksBalanced(stack.orm, buyer.id);
  });

  it('"bank debit" completes unpaid, then settles a moment later', async () => {
    const buyer = await account(stack, 'client');
    const purchase = await checkout(stack, buyer, packageId);
    const response = await pay(purchase, 'bank_debit');
    expect(response.headers.location).toBe(`/checkout/return?purchase=${purchase.id}&result=processing`);
    expect(await available(stack.orm, buyer.id)).toBe(0);
    expect(
      await waitFor(
        () => available(stack.orm, buyer.id),
        (credits) => credits === 10,
      ),
    ).toBe(10);
    await waitFor(
      () => purchaseRow(stack.orm, purchase.id),
      (row) => row.status === 'paid',
    );
  });

  it('"bank debit that fails" leaves no credits and a failed purchase', async () => {
    const buyer = await account(stack, 'client');
    const purchase = await checkout(stack, buyer, packageId);
    expect((await pay(purchase, 'bank_debit_fails')).statusCode).toBe(303);
    await waitFor(
      () => purchaseRow(stack.orm, purchase.id),
      (row) => row.status === 'failed',
    );
    expect(await available(stack.orm, buyer.id)).toBe(0);
  });

  it('refuses forged tokens and unknown methods', async () => {
    const purchase = await checkout(stack, client, packageId);
    expect((await pay(purchase, 'card', 'forged')).statusCode).toBe(404);
    const odd = await pay(purchase, 'cash');
    expect(odd.statusCode).toBe(400);
    expect(odd.json().code).toBe('VALIDATION_FAILED');
    expect((await purchaseRow(stack.orm, purchase.id)).status).toBe('pending');
  });

  it('admin refunds emit a signed charge.refunded too, and the credits are taken back once', async () => {
    const buyer = await account(stack, 'client');
    const purchase = await checkout(stack, buyer, packageId);
    await pay(purchase, 'card');
    await waitFor(
      () => purchaseRow(stack.orm, purchase.id),
      (row) => row.status === 'paid',
    );

    const response = await stack.app.inject({
      method: 'POST',
      url: `/api/admin/purchases/${purchase.id}/refund`,
      headers: admin.headers,
      payload: { sessions: 4 },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toMatchObject({
      simulator: true,
      amountCents: 28_000,
      refundedSessions: 4,
      refundId: expect.stringMatching(/^re_sim_/),
    });
    await settled(stack, purchase.id);
    const history = await stack.temporal.workflow.getHandle(`purchase-${purchase.id}`).fetchHistory();
    const signals = history.events!.filter((event) => event.workflowExecutionSignaledEventAttributes?.signalName === 'refund');
    expect(signals, 'the simulated charge.refunded reached the workflow through the webhook').toHaveLength(1);
    expect(await available(stack.orm, buyer.id)).toBe(6);
    expect(await ledgerCount(stack.orm, `purchase_id = ? and kind = 'revoke'`, [purchase.id])).toBe(1);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({ status: 'partially_refunded', refundedCents: 28_000 });
    await expectBooksBalanced(stack.orm, buyer.id);
  });
});
