import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { reconciliationScheduleId } from '../../workflows/definitions.js';
import { ensureReconciliationSchedule } from '../../worker/reconciliation-schedule.js';
import { createUser, grant, type TestUser } from '../support/actors.js';
import { urlFor } from '../support/database.js';
import { eventually } from '../support/eventually.js';
import { startStack, type TestStack } from '../support/stack.js';
import { checkout, completed, createPackage, deliver, settled } from '../support/stripe.js';

/**
 * Reconciliation through its real Schedule: the worker's start creates it, an admin's
 * "check now" triggers it, the workflow's activity reads the books in one snapshot and
 * stores what it found. Drift is made here the only way it can be, by writing a cached
 * figure behind the ledger's back, and must be reported and left as found.
 */
let stack: TestStack;
let admin: TestUser;

interface Run {
  id: number;
  clientsChecked: number;
  purchasesChecked: number;
  stripeChecked: number | null;
  driftCount: number;
  drift: Array<{ kind: string; clientId: number | null; purchaseId: number | null; detail: string }>;
  workflowId: string | null;
}

beforeAll(async () => {
  stack = await startStack();
  admin = await createUser(stack, 'admin');
  await ensureReconciliationSchedule(stack.temporal, stack.settings);
});
afterAll(async () => {
  await stack?.temporal.schedule
    .getHandle(reconciliationScheduleId(stack.settings.temporal.taskQueue))
    .delete()
    .catch(() => undefined);
  await stack?.close();
});

async function latest(): Promise<Run | null> {
  const response = await stack.app.inject({ method: 'GET', url: '/api/admin/reconciliation', headers: admin.headers });
  expect(response.statusCode, response.body).toBe(200);
  return (response.json() as { latest: Run | null }).latest;
}

/** "Check now", then the run it produced. */
async function checkNow(): Promise<Run> {
  const before = (await latest())?.id ?? 0;
  const response = await stack.app.inject({ method: 'POST', url: '/api/admin/reconciliation', headers: admin.headers });
  expect(response.statusCode, response.body).toBe(202);
  let run: Run | null = null;
  await eventually(
    async () => {
      run = await latest();
      expect(run?.id ?? 0).toBeGreaterThan(before);
    },
    20_000,
    50,
  );
  return run!;
}

describe('reconciliation', () => {
  it('finds no drift in books only the workflows wrote, and asks Stripe', async () => {
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 3);
    const packageId = await createPackage(stack.orm, { sessions: 5, priceCents: 5_000 });
    const purchase = await checkout(stack, client, packageId);
    await deliver(stack, completed(purchase));
    await settled(stack, purchase.id);

    const run = await checkNow();
    expect(run.drift).toEqual([]);
    expect(run.driftCount).toBe(0);
    expect(run.clientsChecked).toBeGreaterThanOrEqual(1);
    expect(run.purchasesChecked).toBeGreaterThanOrEqual(1);
    expect(run.workflowId).toMatch(new RegExp(`^${reconciliationScheduleId(stack.settings.temporal.taskQueue)}`));
    // stripe-mock speaks Stripe's API in this run; its canned sessions name none of our purchases.
    if (stack.settings.stripe.apiBaseUrl) expect(run.stripeChecked).toBeGreaterThanOrEqual(1);
    else expect(run.stripeChecked).toBeNull();
  });

  it("reports a client's kept figures that left the ledger and bookings (only the schema's owner could edit them)", async () => {
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 2);
    const owner = new pg.Client({ connectionString: urlFor(new URL(stack.settings.databaseUrl!).pathname.slice(1)) });
    await owner.connect();
    await owner.query(`update client_figures set cancelled = cancelled + 1 where client_id = $1`, [client.id]);
    try {
      const run = await checkNow();
      const mine = run.drift.filter((finding) => finding.clientId === client.id);
      expect(mine.map((finding) => finding.kind)).toEqual(['figures_vs_books']);
      expect(mine[0]!.detail).toBe('figures 2 available / 0 held / 0 consumed / 1 cancelled; ledger 2 / 0 / 0, 0 cancelled bookings');
    } finally {
      await owner.query(`update client_figures set cancelled = cancelled - 1 where client_id = $1`, [client.id]);
      await owner.end();
    }
  });

  it('reports a cached balance that left its ledger, with the client, and does not touch it', async () => {
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 3);
    await query(stack.orm, `update users set available_sessions = 5 where id = ?`, [client.id]);
    try {
      const run = await checkNow();
      const mine = run.drift.filter((finding) => finding.clientId === client.id);
      expect(mine.map((finding) => finding.kind).sort()).toEqual(['balance_vs_ledger', 'balance_vs_lots']);
      expect(mine[0]!.detail).toMatch(/balance 5 available/);
      expect(run.driftCount).toBe(run.drift.length);
      const [row] = await query<{ available: number }>(stack.orm, `select available_sessions as available from users where id = ?`, [
        client.id,
      ]);
      expect(row!.available).toBe(5);
    } finally {
      await query(stack.orm, `update users set available_sessions = 3 where id = ?`, [client.id]);
    }
  });

  it('reports a paid purchase without its grant and a refund whose credits were never taken back', async () => {
    const client = await createUser(stack, 'client');
    const packageId = await createPackage(stack.orm, { sessions: 4, priceCents: 8_000 });
    const refunded = await checkout(stack, client, packageId);
    await deliver(stack, completed(refunded));
    await settled(stack, refunded.id);
    const unpaid = await checkout(stack, client, packageId);
    // Past the settling minute, so the check judges them rather than waiting for their workflows.
    await query(stack.orm, `update purchases set refunded_cents = 8000, updated_at = now() - interval '2 minutes' where id = ?`, [
      refunded.id,
    ]);
    await query(stack.orm, `update purchases set status = 'paid', updated_at = now() - interval '2 minutes' where id = ?`, [unpaid.id]);
    try {
      const run = await checkNow();
      const findings = run.drift.filter((finding) => finding.clientId === client.id);
      expect(findings).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ kind: 'refund_not_clawed_back', purchaseId: refunded.id }),
          expect.objectContaining({ kind: 'paid_without_grant', purchaseId: unpaid.id }),
        ]),
      );
      expect(findings).toHaveLength(2);
    } finally {
      await query(stack.orm, `update purchases set refunded_cents = 0 where id = ?`, [refunded.id]);
      await query(stack.orm, `update purchases set status = 'pending' where id = ?`, [unpaid.id]);
    }
  });

  it('a second worker start finds the schedule, and a changed interval updates it', async () => {
    const handle = stack.temporal.schedule.getHandle(reconciliationScheduleId(stack.settings.temporal.taskQueue));
    expect((await handle.describe()).spec.intervals?.[0]?.every).toBe(60 * 60_000);
    await ensureReconciliationSchedule(stack.temporal, stack.settings);
    await ensureReconciliationSchedule(stack.temporal, { ...stack.settings, reconcileEveryMinutes: 15 });
    expect((await handle.describe()).spec.intervals?.[0]?.every).toBe(15 * 60_000);
  });

  it('"check now" without a schedule says what is missing', async () => {
    const other = await startStack({}, { worker: false });
    try {
      const otherAdmin = await createUser(other, 'admin');
      const response = await other.app.inject({ method: 'POST', url: '/api/admin/reconciliation', headers: otherAdmin.headers });
      expect(response.statusCode).toBe(409);
      expect(response.json()).toMatchObject({ code: 'NOT_SCHEDULED' });
    } finally {
      await other.close();
    }
  });
});
