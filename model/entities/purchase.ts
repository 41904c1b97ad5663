import { defineEntity, type InferEntity } from '@mikro-orm/core';

const p = defineEntity.properties;

export const PURCHASE_STATUSES = [
  'pending', 'paid', 'failed', 'expired', 'refunded', 'partially_refunded', 'disputed',
] as const;

export const Purchase = defineEntity({
  name: 'Purchase',
  tableName: 'purchases',
  properties: {
    id: p.integer().primary(),
    clientId: p.integer(),
    packageId: p.integer(),
    sessions: p.integer(),
    amountCents: p.integer(),
    currency: p.string(),
    status: p.enum([...PURCHASE_STATUSES]).default('pending'),
    stripeCheckoutSessionId: p.string().nullable(),
    stripePaymentIntentId: p.string().nullable(),
    refundedCents: p.integer().default(0),
    /** Sessions a refund or lost dispute should have taken back but were already used. */
    sessionsOwed: p.integer().default(0),
    workflowId: p.string().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    paidAt: p.datetime().nullable(),
    updatedAt: p.datetime().onCreate(() => new Date()).onUpdate(() => new Date()),
  },
});
export type Purchase = InferEntity<typeof Purchase>;
