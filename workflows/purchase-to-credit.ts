import {
  ActivityFailure, ApplicationFailure, allHandlersFinished, condition, log, proxyActivities, proxyLocalActivities,
  setHandler, upsertSearchAttributes, workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { IssuedRefund, PurchaseProgress, PurchaseRecord } from '../activities/purchases.js';
import { ErrorCode } from '../model/error-codes.js';
import {
  ClientIdKey, disputeSignal, issueRefundUpdate, paymentSignal, purchaseLedgerKeys, purchaseStateQuery, refundSignal,
  type AdminRefundRequest, type CheckoutEvent, type DisputeEvent, type PurchaseInput, type PurchaseView, type RefundEvent,
} from './definitions.js';

// Ledger and purchase-row steps are short database transactions: local activities keep a
// webhook's whole effect in one workflow task. No attempt limit: a database outage delays
// a credit, it must never drop one (business-rule failures are non-retryable anyway).
const database = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});
// Stripe's refund API is a network call an admin waits on: an ordinary activity, few attempts.
const payments = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumAttempts: 3 },
});

type Phase = 'awaiting' | 'unpaid' | 'paid' | 'failed' | 'expired';
type DisputeStatus = 'open' | 'won' | 'lost';

type Work =
  | { kind: 'payment'; event: CheckoutEvent }
  | { kind: 'refund'; event: RefundEvent }
  | { kind: 'dispute'; event: DisputeEvent }
  | { kind: 'refund-issued'; ticket: number; refund: IssuedRefund };

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** What a dispute's Stripe status means for the credits it paid for. */
function disputeOutcome(status: string): DisputeStatus {
  if (status === 'lost') return 'lost';
  // An inquiry closed without a chargeback is as good as a won dispute.
  if (status === 'won' || status === 'warning_closed') return 'won';
  return 'open';
}

/**
 * Purchase-to-credit (SPEC §4): one workflow per purchase, started or signalled by every
 * Stripe webhook about it. Events are queued and applied one at a time, in arrival
 * order, and every rule below is written so that any order and any number of repeats
 * reach the same end state:
 *  - paid (card at once, or an async method later) → one grant of the package's sessions;
 *  - refunds are cumulative: the charge's refunded amount decides how many sessions are
 *    taken back in total (floor(refunded / price × sessions)), so a repeat or a stale
 *    event takes nothing more, and what was already used is recorded as owed;
 *  - a dispute holds the purchase's remaining credits (revoked, remembered); won gives
 *    them back in a `restore` lot with the original expiry; lost keeps them and records
 *    the used ones as owed. A closed dispute ignores later events about it.
 * Then it stays open through the refund window and completes.
 */
export async function purchaseToCredit(input: PurchaseInput): Promise<PurchaseView> {
  const inbox: Work[] = [];
  const seenEvents = new Set<string>();
  const settledTickets = new Set<number>();
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

  const keys = purchaseLedgerKeys(purchase.purchaseId);
  const sessions = purchase.sessions;
  const price = purchase.amountCents;

  // The books of this purchase, resumed from the row (a later run continues an earlier one).
  let phase: Phase = purchase.granted ? 'paid' : purchase.status === 'failed' ? 'failed' : purchase.status === 'expired' ? 'expired' : 'awaiting';
  // A run that resumes a paid purchase always has paidAt; the fallback only keeps the deadline a number.
  let paidAt = purchase.paidAt ?? (purchase.granted ? new Date().toISOString() : null);
  let paymentIntentId = purchase.paymentIntentId;
  let lotExpiresAt = purchase.lotExpiresAt;
  const refunds = new Map<string, number>();
  let refundedHighWater = purchase.refundedCents;
  let refundedSessions = purchase.refundedSessions;
  let disputeStatus: DisputeStatus | null = purchase.disputeStatus;
  let disputeHeld = purchase.disputeHeld;
  let disputeShortfall = purchase.disputeShortfall;
  let disputeHoldTaken = purchase.disputeHoldTaken;
  let refundOwed = purchase.sessionsOwed - (disputeStatus === 'lost' ? disputeShortfall : 0);
  let reservedCents = 0;
  let refundTickets = 0;

  const refundedCents = () => {
    let sum = 0;
    for (const amount of refunds.values()) sum += amount;
    return Math.min(price, Math.max(refundedHighWater, sum));
  };
  const awaitingPayment = () => phase === 'awaiting' || phase === 'unpaid';
  const disputeActive = () => disputeStatus === 'open' || disputeStatus === 'lost';
  const sessionsOwed = () => refundOwed + (disputeStatus === 'lost' ? disputeShortfall : 0);
  const status = (): PurchaseProgress['status'] => {
    if (phase === 'awaiting' || phase === 'unpaid') return 'pending'; // written out: TypeScript narrows on it
    if (phase !== 'paid') return phase;
    if (disputeActive()) return 'disputed';
    const refunded = refundedCents();
    if (refunded > 0 && refunded >= price) return 'refunded';
    return refunded > 0 ? 'partially_refunded' : 'paid';
  };
  const view = (): PurchaseView => ({
    purchaseId: purchase.purchaseId, status: status(), paid: phase === 'paid', refundedCents: refundedCents(),
    refundedSessions, sessionsOwed: sessionsOwed(), disputeStatus, disputeHeld, eventsSeen: seenEvents.size,
  });
  setHandler(purchaseStateQuery, view);

  const common = { clientId: purchase.clientId, purchaseId: purchase.purchaseId, actor: 'stripe' };

  async function grant(event: CheckoutEvent): Promise<void> {
    if (phase === 'paid') return; // the twin of an event already credited
    const paidAtMs = event.created * 1000;
    let expiresAt: string | null = null;
    if (purchase!.validityDays) {
      const validity = purchase!.validityDays * DAY_MS;
      // Counted from payment; a webhook processed very late never hands out credits already (nearly) dead.
      const fromPayment = paidAtMs + validity;
      expiresAt = new Date(fromPayment > Date.now() + HOUR_MS ? fromPayment : Date.now() + validity).toISOString();
    }
    await database.grantCredits({
      ...common, idempotencyKey: keys.grant, quantity: sessions, source: 'purchase', expiresAt,
      reason: `Purchase #${purchase!.purchaseId}: ${purchase!.packageName}`,
    });
    phase = 'paid';
    paidAt = new Date(paidAtMs).toISOString();
    lotExpiresAt = expiresAt;
  }

  async function onPayment(event: CheckoutEvent): Promise<void> {
    // Events of another Checkout Session naming this purchase (another environment sharing the Stripe account) are not ours.
    if (purchase!.checkoutSessionId && event.checkoutSessionId !== purchase!.checkoutSessionId) {
      log.warn('Checkout event for a different session ignored', { purchaseId: purchase!.purchaseId, checkoutSessionId: event.checkoutSessionId });
      return;
    }
    paymentIntentId ??= event.paymentIntentId;
    const settled = event.paymentStatus === 'paid' || event.paymentStatus === 'no_payment_required';
    if (event.kind === 'async_payment_succeeded' || (event.kind === 'completed' && settled)) {
      await grant(event);
    } else if (event.kind === 'completed') {
      if (phase === 'awaiting') phase = 'unpaid';
    } else if (event.kind === 'async_payment_failed') {
      if (phase !== 'paid') phase = 'failed';
    } else if (event.kind === 'expired') {
      if (phase === 'awaiting' || phase === 'unpaid') phase = 'expired';
    }
  }

  function onRefund(event: RefundEvent): void {
    paymentIntentId ??= event.paymentIntentId;
    refundedHighWater = Math.max(refundedHighWater, event.amountRefunded);
    for (const refund of event.refunds) noteRefund(refund.id, refund.amount, refund.status);
  }

  function noteRefund(id: string, amount: number, refundStatus: string): void {
    if (refundStatus === 'failed' || refundStatus === 'canceled') refunds.delete(id);
    else refunds.set(id, amount);
  }

  function onDispute(event: DisputeEvent): void {
    paymentIntentId ??= event.paymentIntentId;
    if (disputeStatus === 'won' || disputeStatus === 'lost') return; // decided; late updates change nothing
    disputeStatus = disputeOutcome(event.status);
  }

  /** Moves the credits to where the known refunds and dispute say they belong. */
  async function settle(): Promise<void> {
    if (phase !== 'paid') return; // nothing granted yet: early refunds and disputes wait for the grant
    const target = price > 0 ? Math.min(sessions, Math.floor((refundedCents() * sessions) / price)) : 0;
    let toTake = target - refundedSessions;
    if (toTake > 0) {
      if (disputeActive() && disputeHoldTaken) {
        // The dispute already took these credits back; the refund now accounts for them.
        const fromHeld = Math.min(toTake, disputeHeld);
        disputeHeld -= fromHeld;
        toTake -= fromHeld;
        const fromShortfall = Math.min(toTake, disputeShortfall);
        disputeShortfall -= fromShortfall;
        refundOwed += fromShortfall;
        toTake -= fromShortfall;
      }
      if (toTake > 0) {
        const { shortfall } = await database.removeCredits({
          ...common, idempotencyKey: keys.refundTo(target), quantity: toTake, kind: 'revoke', exact: false,
          reason: `Refund of purchase #${purchase!.purchaseId}: ${target} of ${sessions} sessions refunded`,
        });
        refundOwed += shortfall;
      }
      refundedSessions = target;
    }

    if (disputeActive() && !disputeHoldTaken) {
      const remaining = sessions - refundedSessions;
      if (remaining > 0) {
        const { entry, shortfall } = await database.removeCredits({
          ...common, idempotencyKey: keys.disputeHold, quantity: remaining, kind: 'revoke', exact: false,
          reason: `Purchase #${purchase!.purchaseId} disputed: its remaining credits are held until the dispute closes`,
        });
        disputeHeld = -entry.delta;
        disputeShortfall = shortfall;
      }
      disputeHoldTaken = true;
    }

    if (disputeStatus === 'won') {
      if (disputeHeld > 0) await restoreDisputed();
      disputeHeld = 0;
      disputeShortfall = 0;
    }
  }

  async function restoreDisputed(): Promise<void> {
    // Back into a lot with the original expiry; credits that would have expired meanwhile stay expired.
    if (lotExpiresAt && Date.parse(lotExpiresAt) <= Date.now()) {
      log.info('Dispute won after the credits expired; nothing to restore', { purchaseId: purchase!.purchaseId });
      return;
    }
    try {
      await database.grantCredits({
        ...common, idempotencyKey: keys.disputeRestore, quantity: disputeHeld, source: 'restore', expiresAt: lotExpiresAt,
        reason: `Dispute on purchase #${purchase!.purchaseId} won: held credits restored`,
      });
    } catch (error) {
      // Expired in the instant between the check and the grant: the same outcome as above.
      if (!(error instanceof ActivityFailure && error.cause instanceof ApplicationFailure && error.cause.type === ErrorCode.InvalidRequest)) throw error;
    }
  }

  const progress = (): PurchaseProgress => ({
    purchaseId: purchase!.purchaseId, clientId: purchase!.clientId, status: status(), paidAt, paymentIntentId,
    refundedCents: refundedCents(), refundedSessions, sessionsOwed: sessionsOwed(), disputeStatus, disputeHeld, disputeShortfall,
  });
  // The books were just read from the row: what they say now is what the row holds.
  let lastSaved = JSON.stringify(progress());
  async function save(): Promise<void> {
    const current = progress();
    const snapshot = JSON.stringify(current);
    if (snapshot === lastSaved) return; // a duplicate changed nothing: write nothing
    await database.savePurchaseProgress(current);
    lastSaved = snapshot;
  }

  async function apply(work: Work): Promise<void> {
    if (work.kind === 'payment') await onPayment(work.event);
    else if (work.kind === 'refund') onRefund(work.event);
    else if (work.kind === 'dispute') onDispute(work.event);
    else noteRefund(work.refund.refundId, work.refund.amountCents, work.refund.status);
    await settle();
    await save();
    if (work.kind === 'refund-issued') settledTickets.add(work.ticket);
  }

  /** The refund an admin may still ask for, in cents; throws the reason when none. */
  function plan(request: AdminRefundRequest): number {
    const refuse = (type: string, message: string) => ApplicationFailure.create({ type, message, nonRetryable: true });
    if (phase !== 'paid') throw refuse(ErrorCode.Conflict, `Purchase #${purchase!.purchaseId} is not paid; there is nothing to refund.`);
    if (disputeActive()) throw refuse(ErrorCode.Conflict, `Purchase #${purchase!.purchaseId} is disputed; the card network decides its money now.`);
    if (!paymentIntentId) throw refuse(ErrorCode.Conflict, `Purchase #${purchase!.purchaseId} has no Stripe payment to refund.`);
    if (request.sessions !== undefined && request.amountCents !== undefined) {
      throw refuse(ErrorCode.InvalidRequest, 'Give either sessions or amountCents, not both.');
    }
    const committed = refundedCents() + reservedCents;
    const refundable = price - committed;
    if (refundable <= 0) throw refuse(ErrorCode.Conflict, `Purchase #${purchase!.purchaseId} is already fully refunded.`);
    let amount = request.amountCents ?? refundable;
    if (request.sessions !== undefined) {
      const already = Math.floor((committed * sessions) / price);
      if (!Number.isInteger(request.sessions) || request.sessions < 1 || already + request.sessions > sessions) {
        throw refuse(ErrorCode.InvalidRequest, `Between 1 and ${sessions - already} sessions of purchase #${purchase!.purchaseId} can still be refunded.`);
      }
      // The least amount whose refund takes back exactly that many more sessions.
      amount = Math.ceil(((already + request.sessions) * price) / sessions) - committed;
    }
    if (!Number.isInteger(amount) || amount < 1 || amount > refundable) {
      throw refuse(ErrorCode.InvalidRequest, `A refund of purchase #${purchase!.purchaseId} must be between 1 and ${refundable} cents.`);
    }
    return amount;
  }

  setHandler(issueRefundUpdate, async (request) => {
    const amountCents = plan(request);
    reservedCents += amountCents;
    const ticket = ++refundTickets;
    try {
      const refund = await payments.refundPayment({
        purchaseId: purchase.purchaseId, paymentIntentId: paymentIntentId!, amountCents, currency: purchase.currency,
        chargeAmountCents: price, refundedBeforeCents: refundedCents(), reason: request.reason ?? null,
        idempotencyKey: `refund-${purchase.purchaseId}-${workflowInfo().runId}-${ticket}`,
      });
      // The main loop applies it, so credits move in one place; Stripe's charge.refunded for
      // the same refund id then finds nothing left to do.
      inbox.push({ kind: 'refund-issued', ticket, refund });
      await condition(() => settledTickets.has(ticket));
      return { ...view(), refundId: refund.refundId, amountCents: refund.amountCents };
    } catch (error) {
      const cause = error instanceof ActivityFailure ? error.cause : error;
      if (cause instanceof ApplicationFailure && cause.nonRetryable) {
        throw ApplicationFailure.create({ type: cause.type ?? ErrorCode.Conflict, message: cause.message, nonRetryable: true });
      }
      throw ApplicationFailure.create({
        type: 'PAYMENT_PROVIDER_UNAVAILABLE', nonRetryable: true,
        message: 'Stripe could not be reached to refund this purchase; nothing was refunded. Try again shortly.',
      });
    } finally {
      reservedCents -= amountCents;
    }
  }, { validator: (request) => void plan(request) });

  // Paid: open through the refund window. Unpaid: wait for the money, then give up.
  const startedAt = Date.now();
  const deadline = () => {
    if (phase === 'paid') return Date.parse(paidAt!) + input.refundWindowMs;
    if (phase === 'failed' || phase === 'expired') return 0;
    return startedAt + input.paymentWaitMs;
  };
  for (;;) {
    const remaining = deadline() - Date.now();
    if (inbox.length === 0 && remaining > 0) {
      const arrived = await condition(() => inbox.length > 0, remaining);
      if (!arrived && awaitingPayment()) {
        phase = 'expired';
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
    purchaseId, status: 'unknown', paid: false, refundedCents: 0, refundedSessions: 0, sessionsOwed: 0,
    disputeStatus: null, disputeHeld: 0, eventsSeen: 0,
  };
}
