import { purchaseLedgerKeys } from '../model/vocabulary.js';
import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  log,
  patched,
  proxyActivities,
  proxyLocalActivities,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { IssuedRefund } from '../activities/purchases.js';
import { ErrorCode } from '../model/error-codes.js';
import {
  ClientIdKey,
  disputeSignal,
  issueRefundUpdate,
  paymentSignal,
  purchaseStateQuery,
  refundSignal,
  type CheckoutEvent,
  type DisputeEvent,
  type PurchaseInput,
  type PurchaseView,
  type RefundEvent,
} from './definitions.js';
import { startLotExpiry } from './lot-expiry.js';
import { PurchaseBooks, RefundRefused, rowProgress, type LedgerStep, type RevokeResult } from './purchase-books.js';

// Ledger and purchase-row steps are short database transactions: local activities keep a
// webhook's whole effect in one workflow task. No attempt limit: a database outage delays
// a credit, it must never drop one (business-rule failures are non-retryable anyway).
/** Histories from before it replay as they ran: the first save was skipped when the books matched themselves. */
const SAVE_RESUMED_ROW = 'save-resumed-row';

const database = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});
// Stripe's refund API is a network call an admin waits on: an ordinary activity, few attempts.
const payments = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

type Work =
  | { kind: 'payment'; event: CheckoutEvent }
  | { kind: 'refund'; event: RefundEvent }
  | { kind: 'dispute'; event: DisputeEvent }
  | { kind: 'refund-issued'; ticket: number; refund: IssuedRefund };

/**
 * Purchase-to-credit: one workflow per purchase, started or signalled by every Stripe
 * webhook about it. Events are queued and applied one at a time, in arrival order, to the
 * purchase's books (purchase-books.ts, where the rules live); this function carries out
 * the ledger steps the books ask for, saves their progress on the purchase row, answers
 * admin refunds, and stays open through the refund window.
 */
export async function purchaseToCredit(input: PurchaseInput): Promise<PurchaseView> {
  const inbox: Work[] = [];
  const seenEvents = new Set<string>();
  const appliedRefundTickets = new Set<number>();
  const receive = (eventId: string, work: Work) => {
    // Stripe redelivers: the same event id is applied once.
    if (seenEvents.has(eventId)) return;
    seenEvents.add(eventId);
    inbox.push(work);
  };
  // Handlers first, so the signal that started this run is queued, never lost.
  setHandler(paymentSignal, (event) => receive(event.eventId, { kind: 'payment', event }));
  setHandler(refundSignal, (event) => receive(event.eventId, { kind: 'refund', event }));
  setHandler(disputeSignal, (event) => receive(event.eventId, { kind: 'dispute', event }));

  const purchase = await database.loadPurchase(input.purchaseId);
  if (!purchase) {
    log.warn('Stripe event for an unknown purchase ignored', { purchaseId: input.purchaseId });
    return emptyView(input.purchaseId);
  }
  upsertSearchAttributes([{ key: ClientIdKey, value: String(purchase.clientId) }]);

  const books = new PurchaseBooks(purchase, Date.now());
  const keys = purchaseLedgerKeys(purchase.purchaseId);
  const common = { clientId: purchase.clientId, purchaseId: purchase.purchaseId, actor: 'stripe' };
  const view = () => books.view(seenEvents.size);
  setHandler(purchaseStateQuery, view);

  async function carryOut(step: LedgerStep): Promise<RevokeResult | undefined> {
    switch (step.key) {
      case 'grant': {
        const { entry } = await database.grantCredits({
          ...common,
          idempotencyKey: keys.grant,
          quantity: step.quantity,
          source: 'purchase',
          expiresAt: step.expiresAt,
          reason: `Purchase #${purchase!.purchaseId}: ${purchase!.packageName}`,
        });
        if (step.expiresAt && entry.lotId !== null) await startLotExpiry(entry.lotId);
        return undefined;
      }
      case 'refund': {
        const { entry, shortfall } = await database.removeCredits({
          ...common,
          idempotencyKey: keys.refundTo(step.refundedSessionsTarget),
          quantity: step.quantity,
          kind: 'revoke',
          exact: false,
          reason: `Refund of purchase #${purchase!.purchaseId}: ${step.refundedSessionsTarget} of ${purchase!.sessions} sessions refunded`,
        });
        return { taken: -entry.delta, shortfall };
      }
      case 'disputeHold': {
        const { entry, shortfall } = await database.removeCredits({
          ...common,
          idempotencyKey: keys.disputeHold,
          quantity: step.quantity,
          kind: 'revoke',
          exact: false,
          reason: `Purchase #${purchase!.purchaseId} disputed: its remaining credits are held until the dispute closes`,
        });
        return { taken: -entry.delta, shortfall };
      }
      case 'disputeRestore':
        try {
          const { entry } = await database.grantCredits({
            ...common,
            idempotencyKey: keys.disputeRestore,
            quantity: step.quantity,
            source: 'restore',
            expiresAt: step.expiresAt,
            reason: `Dispute on purchase #${purchase!.purchaseId} won: held credits restored`,
          });
          if (step.expiresAt && entry.lotId !== null) await startLotExpiry(entry.lotId);
        } catch (error) {
          // The lot expired in the instant between the books' check and the grant: nothing to restore.
          if (!(
            error instanceof ActivityFailure &&
            error.cause instanceof ApplicationFailure &&
            error.cause.type === ErrorCode.InvalidRequest
          ))
            throw error;
        }
        return undefined;
    }
  }

  // What the row holds. The books are read from it and from the ledger: a run resumed after
  // its grant committed and before its row was saved (a workflow task that timed out between
  // the two) has books already paid over a row still pending, and must still write the row.
  let lastSaved = JSON.stringify(patched(SAVE_RESUMED_ROW) ? rowProgress(purchase) : books.progress());
  async function save(): Promise<void> {
    const current = books.progress();
    const snapshot = JSON.stringify(current);
    if (snapshot === lastSaved) return; // a duplicate changed nothing: write nothing
    await database.savePurchaseProgress(current);
    lastSaved = snapshot;
  }

  async function apply(work: Work): Promise<void> {
    if (work.kind === 'payment') {
      if (!books.recordPayment(work.event)) {
        // Another environment sharing the Stripe account named this purchase from its own checkout.
        log.warn('Checkout event for a different session ignored', {
          purchaseId: purchase!.purchaseId,
          checkoutSessionId: work.event.checkoutSessionId,
        });
      }
    } else if (work.kind === 'refund') books.recordRefund(work.event);
    else if (work.kind === 'dispute') books.recordDispute(work.event);
    else books.recordRefundState(work.refund.refundId, work.refund.amountCents, work.refund.status);
    for (let step = books.nextStep(Date.now()); step; step = books.nextStep(Date.now())) books.completed(step, await carryOut(step));
    await save();
    if (work.kind === 'refund-issued') appliedRefundTickets.add(work.ticket);
  }

  const planRefund = (request: Parameters<PurchaseBooks['planRefund']>[0]) => {
    try {
      return books.planRefund(request);
    } catch (error) {
      if (error instanceof RefundRefused) throw ApplicationFailure.create({ type: error.code, message: error.message, nonRetryable: true });
      throw error;
    }
  };

  let refundTickets = 0;
  setHandler(
    issueRefundUpdate,
    async (request) => {
      const amountCents = planRefund(request);
      books.reserve(amountCents);
      const ticket = ++refundTickets;
      try {
        const refund = await payments.refundPayment({
          purchaseId: purchase.purchaseId,
          paymentIntentId: books.refundableIntent!,
          amountCents,
          currency: purchase.currency,
          chargeAmountCents: purchase.amountCents,
          refundedBeforeCents: books.refundedCents(),
          reason: request.reason ?? null,
          idempotencyKey: `refund-${purchase.purchaseId}-${workflowInfo().runId}-${ticket}`,
        });
        // The main loop applies it, so credits move in one place; Stripe's charge.refunded for
        // the same refund id then finds nothing left to do.
        inbox.push({ kind: 'refund-issued', ticket, refund });
        await condition(() => appliedRefundTickets.has(ticket));
        return { ...view(), refundId: refund.refundId, amountCents: refund.amountCents };
      } catch (error) {
        const cause = error instanceof ActivityFailure ? error.cause : error;
        if (cause instanceof ApplicationFailure && cause.nonRetryable) {
          throw ApplicationFailure.create({ type: cause.type ?? ErrorCode.Conflict, message: cause.message, nonRetryable: true });
        }
        throw ApplicationFailure.create({
          type: 'PAYMENT_PROVIDER_UNAVAILABLE',
          nonRetryable: true,
          message: 'Stripe could not be reached to refund this purchase; nothing was refunded. Try again shortly.',
        });
      } finally {
        books.release(amountCents);
      }
    },
    { validator: (request) => void planRefund(request) },
  );

  // Paid: open through the refund window. Unpaid: wait for the money, then give up.
  const startedAt = Date.now();
  for (;;) {
    const remaining = books.deadline(startedAt, input) - Date.now();
    if (inbox.length === 0 && remaining > 0) {
      const arrived = await condition(() => inbox.length > 0, remaining);
      if (!arrived && books.awaitingPayment) {
        books.giveUpWaiting();
        await save();
      }
      continue;
    }
    if (inbox.length === 0) {
      // Past the deadline: finish what an admin's refund started (it may still queue work), then close.
      await condition(() => inbox.length > 0 || allHandlersFinished());
      if (inbox.length === 0) break;
    }
    await apply(inbox.shift()!);
  }
  return view();
}

function emptyView(purchaseId: number): PurchaseView {
  return {
    purchaseId,
    status: 'unknown',
    paid: false,
    refundedCents: 0,
    refundedSessions: 0,
    sessionsOwed: 0,
    disputeStatus: null,
    disputeHeld: 0,
    eventsSeen: 0,
  };
}
