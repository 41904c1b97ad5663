import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Package } from './package.js';
import { User } from './user.js';

const p = defineEntity.properties;

export const PURCHASE_STATUSES = ['pending', 'paid', 'failed', 'expired', 'refunded', 'partially_refunded', 'disputed'] as const;
export type PurchaseStatus = (typeof PURCHASE_STATUSES)[number];
/** A purchase whose money arrived, whatever happened after: each has exactly one grant. */
export const PAID_PURCHASE_STATUSES: readonly PurchaseStatus[] = ['paid', 'partially_refunded', 'refunded', 'disputed'];
export const DISPUTE_STATUSES = ['open', 'won', 'lost'] as const;
export type DisputeStatus = (typeof DISPUTE_STATUSES)[number];

/** One checkout. Its progress columns are written only by its purchase-to-credit workflow. */
export const Purchase = defineEntity({
  name: 'Purchase',
  tableName: 'purchases',
  properties: {
    id: p.integer().primary().generated('by default as identity'),
    client: p.manyToOne(User),
    package: p.manyToOne(Package),
    sessions: p.integer(),
    amountCents: p.integer(),
    currency: p.text(),
    status: p.enum([...PURCHASE_STATUSES]).default('pending'),
    stripeCheckoutSessionId: p.text().nullable().unique('purchases_stripe_checkout_session_id_key'),
    stripePaymentIntentId: p.text().nullable().unique('purchases_stripe_payment_intent_id_key'),
    refundedCents: p.integer().default(0),
    /** Sessions a refund or lost dispute should have taken back but were already used. */
    sessionsOwed: p.integer().default(0),
    workflowId: p.text().nullable(),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    paidAt: p.datetime().nullable(),
    updatedAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
    /** Credits taken back by refunds so far. */
    refundedSessions: p.integer().default(0),
    disputeStatus: p.enum([...DISPUTE_STATUSES]).nullable(),
    /** Credits an open dispute holds back (restored if it is won). */
    disputeHeldSessions: p.integer().default(0),
    /** Used credits an open dispute could not hold (owed if it is lost). */
    disputeShortfallSessions: p.integer().default(0),
  },
});
export type Purchase = InferEntity<typeof Purchase>;
