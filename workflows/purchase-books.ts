import type { PurchaseProgress, PurchaseRecord } from '../model/purchases.js';
import { ErrorCode } from '../model/error-codes.js';
import type { AdminRefundRequest, CheckoutEvent, DisputeEvent, PurchaseView, RefundEvent } from './definitions.js';

/*
 * The books of one purchase: payment, refunds, a dispute and what they mean for its
 * credits. Plain state and arithmetic, no Temporal and no I/O, so every rule is tested as
 * a table (test/workflows/purchase-books.test.ts); the purchase-to-credit workflow feeds it
 * Stripe's events, carries out the ledger steps it asks for and reports their results.
 *
 * Every rule is written so that any order and any number of repeats of the events reach
 * the same end state:
 *  - paid (card at once, or an async method later) → one grant of the package's sessions;
 *  - refunds are cumulative: the charge's refunded amount decides how many sessions are
 *    taken back in total (floor(refunded / price × sessions)), so a repeat or a stale
 *    event takes nothing more, and what was already used is recorded as owed;
 *  - a dispute holds the purchase's remaining credits (revoked, remembered); won gives
 *    them back in a `restore` lot with the original expiry; lost keeps them and records
 *    the used ones as owed. A decided dispute ignores later events about it.
 */

type Phase = 'awaiting' | 'unpaid' | 'paid' | 'failed' | 'expired';
type DisputeStatus = 'open' | 'won' | 'lost';

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

/** One ledger change the books need; the workflow runs it with the idempotency key `key`. */
export type LedgerStep =
  | { kind: 'grant'; key: 'grant'; quantity: number; expiresAt: string | null; paidAt: string }
  | { kind: 'revoke'; key: 'refund'; quantity: number; refundedSessionsTarget: number; fromHeld: number; fromShortfall: number }
  | { kind: 'revoke'; key: 'disputeHold'; quantity: number }
  | { kind: 'restore'; key: 'disputeRestore'; quantity: number; expiresAt: string | null };

/** What a revoke could take: the rest had already been used. */
export interface RevokeResult {
  taken: number;
  shortfall: number;
}

/** A refund the books refuse, with the error code the API answers it with. */
export class RefundRefused extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** What a dispute's Stripe status means for the credits it paid for. */
export function disputeOutcome(status: string): DisputeStatus {
  if (status === 'lost') return 'lost';
  // An inquiry closed without a chargeback is as good as a won dispute.
  if (status === 'won' || status === 'warning_closed') return 'won';
  return 'open';
}

/** The purchase row as it was read, in the shape (and key order) of `PurchaseBooks.progress`. */
export function rowProgress(purchase: PurchaseRecord): PurchaseProgress {
  return {
    purchaseId: purchase.purchaseId,
    clientId: purchase.clientId,
    status: purchase.status,
    paidAt: purchase.paidAt,
    paymentIntentId: purchase.paymentIntentId,
    refundedCents: purchase.refundedCents,
    refundedSessions: purchase.refundedSessions,
    sessionsOwed: purchase.sessionsOwed,
    disputeStatus: purchase.disputeStatus,
    disputeHeld: purchase.disputeHeld,
    disputeShortfall: purchase.disputeShortfall,
  };
}

export class PurchaseBooks {
  private phase: Phase;
  private paidAt: string | null;
  private paymentIntentId: string | null;
  private lotExpiresAt: string | null;
  private readonly refunds = new Map<string, number>();
  private refundedHighWater: number;
  private refundedSessions: number;
  private disputeStatus: DisputeStatus | null;
  private disputeHeld: number;
  private disputeShortfall: number;
  private disputeHoldTaken: boolean;
  private refundOwed: number;
  /** Cents of admin refunds asked of Stripe and not yet known to have landed. */
  private reservedCents = 0;
  /** The money arrived (Stripe's clock, ms) and its grant is still to be written. */
  private pendingGrantAt: number | undefined;

  /** Resumed from the purchase row, so a later run continues where an earlier one stopped. */
  constructor(
    readonly purchase: PurchaseRecord,
    now: number,
  ) {
    this.phase = purchase.granted
      ? 'paid'
      : purchase.status === 'failed'
        ? 'failed'
        : purchase.status === 'expired'
          ? 'expired'
          : 'awaiting';
    // A run that resumes a paid purchase always has paidAt; the fallback only keeps the deadline a number.
    this.paidAt = purchase.paidAt ?? (purchase.granted ? new Date(now).toISOString() : null);
    this.paymentIntentId = purchase.paymentIntentId;
    this.lotExpiresAt = purchase.lotExpiresAt;
    this.refundedHighWater = purchase.refundedCents;
    this.refundedSessions = purchase.refundedSessions;
    this.disputeStatus = purchase.disputeStatus;
    this.disputeHeld = purchase.disputeHeld;
    this.disputeShortfall = purchase.disputeShortfall;
    this.disputeHoldTaken = purchase.disputeHoldTaken;
    this.refundOwed = purchase.sessionsOwed - (this.disputeStatus === 'lost' ? this.disputeShortfall : 0);
  }

  private get sessions() {
    return this.purchase.sessions;
  }

  private get price() {
    return this.purchase.amountCents;
  }

  get paid(): boolean {
    return this.phase === 'paid';
  }

  get awaitingPayment(): boolean {
    return this.phase === 'awaiting' || this.phase === 'unpaid';
  }

  get refundableIntent(): string | null {
    return this.paymentIntentId;
  }

  refundedCents(): number {
    let sum = 0;
    for (const amount of this.refunds.values()) sum += amount;
    return Math.min(this.price, Math.max(this.refundedHighWater, sum));
  }

  private disputeActive(): boolean {
    return this.disputeStatus === 'open' || this.disputeStatus === 'lost';
  }

  private sessionsOwed(): number {
    return this.refundOwed + (this.disputeStatus === 'lost' ? this.disputeShortfall : 0);
  }

  status(): PurchaseProgress['status'] {
    if (this.phase === 'awaiting' || this.phase === 'unpaid') return 'pending';
    if (this.phase !== 'paid') return this.phase;
    if (this.disputeActive()) return 'disputed';
    const refunded = this.refundedCents();
    if (refunded > 0 && refunded >= this.price) return 'refunded';
    return refunded > 0 ? 'partially_refunded' : 'paid';
  }

  view(eventsSeen: number): PurchaseView {
    return {
      purchaseId: this.purchase.purchaseId,
      status: this.status(),
      paid: this.paid,
      refundedCents: this.refundedCents(),
      refundedSessions: this.refundedSessions,
      sessionsOwed: this.sessionsOwed(),
      disputeStatus: this.disputeStatus,
      disputeHeld: this.disputeHeld,
      eventsSeen,
    };
  }

  progress(): PurchaseProgress {
    return {
      purchaseId: this.purchase.purchaseId,
      clientId: this.purchase.clientId,
      status: this.status(),
      paidAt: this.paidAt,
      paymentIntentId: this.paymentIntentId,
      refundedCents: this.refundedCents(),
      refundedSessions: this.refundedSessions,
      sessionsOwed: this.sessionsOwed(),
      disputeStatus: this.disputeStatus,
      disputeHeld: this.disputeHeld,
      disputeShortfall: this.disputeShortfall,
    };
  }

  /** When the workflow may close: the refund window after payment, the payment wait before it, at once after a failure. */
  deadline(startedAt: number, windows: { refundWindowMs: number; paymentWaitMs: number }): number {
    if (this.phase === 'paid') return Date.parse(this.paidAt!) + windows.refundWindowMs;
    if (this.phase === 'failed' || this.phase === 'expired') return 0;
    return startedAt + windows.paymentWaitMs;
  }

  /** The payment wait ran out with no money. */
  giveUpWaiting(): void {
    if (this.awaitingPayment) this.phase = 'expired';
  }

  /** A Checkout event. Events of another Checkout Session naming this purchase are not ours: false. */
  recordPayment(event: CheckoutEvent): boolean {
    if (this.purchase.checkoutSessionId && event.checkoutSessionId !== this.purchase.checkoutSessionId) return false;
    this.paymentIntentId ??= event.paymentIntentId;
    const moneyIn = event.paymentStatus === 'paid' || event.paymentStatus === 'no_payment_required';
    if (event.kind === 'async_payment_succeeded' || (event.kind === 'completed' && moneyIn)) {
      // The twin of an event already credited changes nothing.
      if (this.phase !== 'paid') this.pendingGrantAt ??= event.created * 1000;
    } else if (event.kind === 'completed') {
      if (this.phase === 'awaiting') this.phase = 'unpaid';
    } else if (event.kind === 'async_payment_failed') {
      if (this.phase !== 'paid') this.phase = 'failed';
    } else if (event.kind === 'expired') {
      if (this.awaitingPayment) this.phase = 'expired';
    }
    return true;
  }

  recordRefund(event: RefundEvent): void {
    this.paymentIntentId ??= event.paymentIntentId;
    this.refundedHighWater = Math.max(this.refundedHighWater, event.amountRefunded);
    for (const refund of event.refunds) this.recordRefundState(refund.id, refund.amount, refund.status);
  }

  /** One refund's latest state, from Stripe's event or from the admin refund's own answer. */
  recordRefundState(id: string, amount: number, refundStatus: string): void {
    if (refundStatus === 'failed' || refundStatus === 'canceled') this.refunds.delete(id);
    else this.refunds.set(id, amount);
  }

  recordDispute(event: DisputeEvent): void {
    this.paymentIntentId ??= event.paymentIntentId;
    if (this.disputeStatus === 'won' || this.disputeStatus === 'lost') return;
    this.disputeStatus = disputeOutcome(event.status);
  }

  /**
   * The next ledger change that brings the credits to where the payment, the refunds and
   * the dispute say they belong, or undefined when they are there. Changes that need no
   * ledger entry are made on the way.
   */
  nextStep(now: number): LedgerStep | undefined {
    if (this.pendingGrantAt !== undefined && this.phase !== 'paid') return this.grantStep(this.pendingGrantAt, now);
    // Nothing granted yet: early refunds and disputes wait for the grant.
    if (this.phase !== 'paid') return undefined;

    const target = this.price > 0 ? Math.min(this.sessions, Math.floor((this.refundedCents() * this.sessions) / this.price)) : 0;
    const toTake = target - this.refundedSessions;
    if (toTake > 0) {
      // Credits a dispute already took back: the refund now accounts for them instead.
      const covered = this.disputeActive() && this.disputeHoldTaken;
      const fromHeld = covered ? Math.min(toTake, this.disputeHeld) : 0;
      const fromShortfall = covered ? Math.min(toTake - fromHeld, this.disputeShortfall) : 0;
      const step: LedgerStep = {
        kind: 'revoke',
        key: 'refund',
        quantity: toTake - fromHeld - fromShortfall,
        refundedSessionsTarget: target,
        fromHeld,
        fromShortfall,
      };
      if (step.quantity > 0) return step;
      this.completed(step, { taken: 0, shortfall: 0 });
    }

    if (this.disputeActive() && !this.disputeHoldTaken) {
      const remaining = this.sessions - this.refundedSessions;
      if (remaining > 0) return { kind: 'revoke', key: 'disputeHold', quantity: remaining };
      this.disputeHoldTaken = true;
    }

    if (this.disputeStatus === 'won' && (this.disputeHeld > 0 || this.disputeShortfall > 0)) {
      // Back into a lot with the original expiry; credits that would have expired meanwhile stay expired.
      if (this.disputeHeld > 0 && !(this.lotExpiresAt && Date.parse(this.lotExpiresAt) <= now)) {
        return { kind: 'restore', key: 'disputeRestore', quantity: this.disputeHeld, expiresAt: this.lotExpiresAt };
      }
      this.disputeHeld = 0;
      this.disputeShortfall = 0;
    }
    return undefined;
  }

  private grantStep(paidAtMs: number, now: number): LedgerStep {
    let expiresAt: string | null = null;
    if (this.purchase.validityDays) {
      const validity = this.purchase.validityDays * DAY_MS;
      // Counted from payment; a webhook processed very late never hands out credits already (nearly) dead.
      const fromPayment = paidAtMs + validity;
      expiresAt = new Date(fromPayment > now + HOUR_MS ? fromPayment : now + validity).toISOString();
    }
    return { kind: 'grant', key: 'grant', quantity: this.sessions, expiresAt, paidAt: new Date(paidAtMs).toISOString() };
  }

  /** The workflow wrote `step` (a revoke reports what it could take); a restore that found its credits expired reports 0 taken. */
  completed(step: LedgerStep, result?: RevokeResult): void {
    switch (step.key) {
      case 'grant':
        this.phase = 'paid';
        this.paidAt = step.paidAt;
        this.lotExpiresAt = step.expiresAt;
        this.pendingGrantAt = undefined;
        return;
      case 'refund':
        this.disputeHeld -= step.fromHeld;
        this.disputeShortfall -= step.fromShortfall;
        this.refundOwed += step.fromShortfall + (result?.shortfall ?? 0);
        this.refundedSessions = step.refundedSessionsTarget;
        return;
      case 'disputeHold':
        this.disputeHeld = result?.taken ?? 0;
        this.disputeShortfall = result?.shortfall ?? 0;
        this.disputeHoldTaken = true;
        return;
      case 'disputeRestore':
        this.disputeHeld = 0;
        this.disputeShortfall = 0;
    }
  }

  /** The refund an admin may still ask for, in cents; throws RefundRefused with the reason when none. */
  planRefund(request: Pick<AdminRefundRequest, 'sessions' | 'amountCents'>): number {
    const id = this.purchase.purchaseId;
    if (this.phase !== 'paid') throw new RefundRefused(ErrorCode.Conflict, `Purchase #${id} is not paid; there is nothing to refund.`);
    if (this.disputeActive())
      throw new RefundRefused(ErrorCode.Conflict, `Purchase #${id} is disputed; the card network decides its money now.`);
    if (!this.paymentIntentId) throw new RefundRefused(ErrorCode.Conflict, `Purchase #${id} has no Stripe payment to refund.`);
    if (request.sessions !== undefined && request.amountCents !== undefined) {
      throw new RefundRefused(ErrorCode.InvalidRequest, 'Give either sessions or amountCents, not both.');
    }
    const committed = this.refundedCents() + this.reservedCents;
    const refundable = this.price - committed;
    if (refundable <= 0) throw new RefundRefused(ErrorCode.Conflict, `Purchase #${id} is already fully refunded.`);
    let amount = request.amountCents ?? refundable;
    if (request.sessions !== undefined) {
      const already = Math.floor((committed * this.sessions) / this.price);
      if (!Number.isInteger(request.sessions) || request.sessions < 1 || already + request.sessions > this.sessions) {
        throw new RefundRefused(
          ErrorCode.InvalidRequest,
          `Between 1 and ${this.sessions - already} sessions of purchase #${id} can still be refunded.`,
        );
      }
      // The least amount whose refund takes back exactly that many more sessions.
      amount = Math.ceil(((already + request.sessions) * this.price) / this.sessions) - committed;
    }
    if (!Number.isInteger(amount) || amount < 1 || amount > refundable) {
      throw new RefundRefused(ErrorCode.InvalidRequest, `A refund of purchase #${id} must be between 1 and ${refundable} cents.`);
    }
    return amount;
  }

  /** An admin refund asked of Stripe: its cents are spoken for until Stripe's answer is recorded. */
  reserve(amountCents: number): void {
    this.reservedCents += amountCents;
  }

  release(amountCents: number): void {
    this.reservedCents -= amountCents;
  }
}
