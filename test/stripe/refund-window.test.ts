import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { purchaseWorkflowId } from '../../workflows/definitions.js';
import { startStack, type TestStack } from '../support/stack.js';
import {
  account,
  asyncSucceeded,
  available,
  chargeRefunded,
  checkout,
  completed,
  createPackage,
  deliver,
  expectBooksBalanced,
  ledgerCount,
  purchaseRow,
  waitFor,
  type TestPurchase,
} from '../support/stripe.js';

/**
 * The workflow's timers, run in 300 ms windows: a paid purchase's workflow stays open through
 * the refund window and then completes; an unpaid checkout is given up. An event that
 * arrives afterwards starts a new run, which resumes from the purchase row and so
 * changes only what is still to change.
 */
let stack: TestStack;
let packageId: number;

beforeAll(async () => {
  stack = await startStack({ POLICY_REFUND_WINDOW_SECONDS: '0.3', POLICY_PAYMENT_WAIT_SECONDS: '0.3' });
  packageId = await createPackage(stack.orm, { sessions: 10, priceCents: 70_000 });
});
afterAll(async () => {
  await stack?.close();
});

async function closedRuns(purchase: TestPurchase, count: number): Promise<void> {
  const handle = stack.temporal.workflow.getHandle(purchaseWorkflowId(purchase.id));
  await waitFor(
    async () => {
      let closed = 0;
      for await (const run of stack.temporal.workflow.list({
        query: `WorkflowId = '${handle.workflowId}' AND ExecutionStatus = 'Completed'`,
      })) {
        if (run.workflowId === handle.workflowId) closed += 1;
      }
      return closed;
    },
    (closed) => closed >= count,
    20_000,
  );
}

describe('after the refund window', () => {
  it('the workflow completes; late events resume from the purchase row and change only what is left to change', async () => {
    const admin = await account(stack, 'admin');
    const client = await account(stack, 'client');
    const purchase = await checkout(stack, client, packageId);
    await deliver(stack, completed(purchase));
    const firstRun = await stack.temporal.workflow.getHandle(purchaseWorkflowId(purchase.id)).result();
    expect(firstRun).toMatchObject({ status: 'paid', paid: true });
    expect(await available(stack.orm, client.id)).toBe(10);

    const refund = await stack.app.inject({
      method: 'POST',
      url: `/api/admin/purchases/${purchase.id}/refund`,
      headers: admin.headers,
      payload: { sessions: 1 },
    });
    expect(refund.statusCode).toBe(409);
    expect(refund.json().code).toBe('REFUND_WINDOW_CLOSED');

    await deliver(stack, chargeRefunded(purchase, 21_000, [{ id: 're_late', amount: 21_000 }]));
    await closedRuns(purchase, 2);
    expect(await available(stack.orm, client.id)).toBe(7);

    // The same refund and the original payment, redelivered once more, after everything.
    await deliver(stack, chargeRefunded(purchase, 21_000, [{ id: 're_late', amount: 21_000 }]));
    await closedRuns(purchase, 3);
    await deliver(stack, completed(purchase));
    await closedRuns(purchase, 4);
    expect(await available(stack.orm, client.id)).toBe(7);
    expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({ status: 'partially_refunded', refundedSessions: 3 });
    expect(await ledgerCount(stack.orm, `purchase_id = ?`, [purchase.id])).toBe(2);
    await expectBooksBalanced(stack.orm, client.id);
  });
});

describe('an unpaid checkout', () => {
  it('is given up as expired, and still credited if the money arrives later after all', async () => {
    const client = await account(stack, 'client');
    const purchase = await checkout(stack, client, packageId);
    await deliver(stack, completed(purchase, 'unpaid'));
    await waitFor(
      () => purchaseRow(stack.orm, purchase.id),
      (row) => row.status === 'expired',
      20_000,
    );
    await closedRuns(purchase, 1);
    expect(await available(stack.orm, client.id)).toBe(0);

    await deliver(stack, asyncSucceeded(purchase));
    expect(
      await waitFor(
        () => available(stack.orm, client.id),
        (credits) => credits === 10,
      ),
    ).toBe(10);
    await waitFor(
      () => purchaseRow(stack.orm, purchase.id),
      (row) => row.status === 'paid',
    );
    await expectBooksBalanced(stack.orm, client.id);
  });
});
