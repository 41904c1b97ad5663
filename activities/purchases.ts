import { ApplicationFailure } from '@temporalio/activity';
import Stripe from 'stripe';
import type { Settings } from '../config/settings.js';
import { ErrorCode } from '../model/errors.js';
import type { Orm } from '../model/orm.js';
import { loadPurchaseRecord, savePurchaseProgress, type PurchaseProgress, type PurchaseRecord } from '../model/purchases.js';
import { inTransaction } from '../model/transaction.js';
import { purchaseLedgerKeys } from '../model/vocabulary.js';
import { businessRules } from './failures.js';
import { createStripeClient, postSignedEvent, simulatedChargeRefundedEvent, simulatedRefundId } from '../payments/stripe.js';

export type { PurchaseProgress, PurchaseRecord };

export interface RefundPaymentRequest {
  purchaseId: number;
  paymentIntentId: string;
  amountCents: number;
  currency: string;
  chargeAmountCents: number;
  /** What the workflow knew was refunded before this refund (the simulator's `amount_refunded` builds on it). */
  refundedBeforeCents: number;
  /** Chosen by the workflow, so a retried attempt is the same refund at Stripe. */
  idempotencyKey: string;
  reason: string | null;
}

export interface IssuedRefund {
  refundId: string;
  amountCents: number;
  status: string;
}

/** Stripe's answers that no retry will change: the refund is refused, not delayed. */
function refusedByStripe(error: unknown): boolean {
  return (
    error instanceof Stripe.errors.StripeInvalidRequestError ||
    error instanceof Stripe.errors.StripeCardError ||
    error instanceof Stripe.errors.StripePermissionError ||
    error instanceof Stripe.errors.StripeAuthenticationError
  );
}

/**
 * The purchase workflow's side effects other than the ledger (credits move through
 * grantCredits/removeCredits): reading and recording the purchase, and refunding at Stripe.
 */
export function createPurchaseActivities({ orm, settings, stripe }: { orm: Orm; settings: Settings; stripe?: Stripe | null }) {
  const client = stripe === undefined ? createStripeClient(settings) : stripe;

  return {
    /** The purchase and what was already done for it; null when no such purchase exists. */
    async loadPurchase(purchaseId: number): Promise<PurchaseRecord | null> {
      const keys = purchaseLedgerKeys(purchaseId);
      const record = await inTransaction(orm, (sql) => loadPurchaseRecord(sql, purchaseId, keys));
      return record ?? null;
    },

    /** Writes the workflow's view of the purchase; marks the client as a buyer once paid. */
    async savePurchaseProgress(progress: PurchaseProgress): Promise<void> {
      await businessRules(() => inTransaction(orm, (sql) => savePurchaseProgress(sql, progress)));
    },

    /** Refunds at Stripe, or (simulator) emits the signed `charge.refunded` Stripe would send. */
    async refundPayment(request: RefundPaymentRequest): Promise<IssuedRefund> {
      if (client) {
        try {
          const refund = await client.refunds.create(
            {
              payment_intent: request.paymentIntentId,
              amount: request.amountCents,
              reason: 'requested_by_customer',
              metadata: { purchaseId: String(request.purchaseId), ...(request.reason ? { note: request.reason.slice(0, 400) } : {}) },
            },
            { idempotencyKey: request.idempotencyKey },
          );
          return { refundId: refund.id, amountCents: refund.amount, status: refund.status ?? 'pending' };
        } catch (error) {
          if (refusedByStripe(error)) {
            throw ApplicationFailure.create({
              type: ErrorCode.Conflict,
              message: `Stripe refused the refund: ${(error as Error).message}`,
              nonRetryable: true,
            });
          }
          throw error;
        }
      }
      const refundId = simulatedRefundId(request.idempotencyKey);
      await postSignedEvent(
        settings,
        simulatedChargeRefundedEvent({
          purchaseId: request.purchaseId,
          paymentIntentId: request.paymentIntentId,
          chargeAmountCents: request.chargeAmountCents,
          currency: request.currency,
          refundId,
          amountCents: request.amountCents,
          amountRefundedCents: Math.min(request.chargeAmountCents, request.refundedBeforeCents + request.amountCents),
        }),
      );
      return { refundId, amountCents: request.amountCents, status: 'succeeded' };
    },
  };
}
