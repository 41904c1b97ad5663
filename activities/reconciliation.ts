import { Context } from '@temporalio/activity';
import type Stripe from 'stripe';
import type { Orm } from '../model/orm.js';
import { PAID_PURCHASE_STATUSES } from '../model/entities/purchase.js';
import { checkBooks, purchaseStatuses, recordRun, SETTLING_SECONDS, type Drift } from '../model/reconciliation.js';
import { createStripeClient } from '../payments/stripe.js';
import type { ActivityDependencies } from './index.js';

export interface ReconciliationSummary {
  id: number;
  finishedAt: string;
  clientsChecked: number;
  purchasesChecked: number;
  stripeChecked: number | null;
  driftCount: number;
}

/** Stripe's recent paid Checkout Sessions are compared over this window (a run an hour late still overlaps the last). */
const STRIPE_LOOKBACK_SECONDS = 3 * 86_400;

/**
 * Stripe's view against ours: every Checkout Session Stripe calls paid that names one of
 * our purchases must be paid here too. A session not naming a purchase is not ours to judge.
 */
async function stripeDrift(stripe: Stripe, orm: Orm, now: number): Promise<{ checked: number; drift: Drift[] }> {
  const paid: Array<{ purchaseId: number; sessionId: string }> = [];
  let checked = 0;
  const created = { gte: Math.floor(now / 1000) - STRIPE_LOOKBACK_SECONDS, lt: Math.floor(now / 1000) - SETTLING_SECONDS };
  for await (const session of stripe.checkout.sessions.list({ created, limit: 100 })) {
    checked += 1;
    Context.current().heartbeat(checked);
    const purchaseId = Number(session.metadata?.purchaseId ?? session.client_reference_id);
    if (session.payment_status === 'paid' && Number.isSafeInteger(purchaseId) && purchaseId > 0) {
      paid.push({ purchaseId, sessionId: session.id });
    }
  }
  const ours = await purchaseStatuses(
    orm,
    paid.map((session) => session.purchaseId),
  );
  const drift = paid.flatMap(({ purchaseId, sessionId }): Drift[] => {
    const purchase = ours.get(purchaseId);
    if (purchase && PAID_PURCHASE_STATUSES.includes(purchase.status)) return [];
    return [
      {
        kind: 'stripe_paid_not_recorded',
        clientId: purchase?.clientId ?? null,
        purchaseId,
        detail: purchase
          ? `Stripe's ${sessionId} is paid; ours is ${purchase.status}`
          : `Stripe's ${sessionId} is paid; no such purchase here`,
      },
    ];
  });
  return { checked, drift };
}

export function createReconciliationActivities({ orm, settings, stripe }: ActivityDependencies) {
  return {
    /** Checks the books (and Stripe's recent payments when keys are set) and records what it found. */
    async reconcileBooks(): Promise<ReconciliationSummary> {
      const startedAt = new Date();
      const check = await checkBooks(orm);
      const client = stripe === undefined ? createStripeClient(settings) : stripe;
      let stripeChecked: number | null = null;
      if (client) {
        const fromStripe = await stripeDrift(client, orm, startedAt.getTime());
        stripeChecked = fromStripe.checked;
        check.drift.push(...fromStripe.drift);
      }
      const { workflowExecution } = Context.current().info;
      const run = await recordRun(orm, {
        startedAt,
        workflowId: workflowExecution?.workflowId ?? null,
        runId: workflowExecution?.runId ?? null,
        check,
        stripeChecked,
      });
      return {
        id: run.id,
        finishedAt: run.finishedAt.toISOString(),
        clientsChecked: run.clientsChecked,
        purchasesChecked: run.purchasesChecked,
        stripeChecked: run.stripeChecked ?? null,
        driftCount: run.driftCount,
      };
    },
  };
}
