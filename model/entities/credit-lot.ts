import { defineEntity, type InferEntity } from '@mikro-orm/core';

const p = defineEntity.properties;

export const LOT_SOURCES = ['purchase', 'allocation', 'restore'] as const;

/** A batch of credits from one source; holds draw from the lot that expires first. */
export const CreditLot = defineEntity({
  name: 'CreditLot',
  tableName: 'credit_lots',
  properties: {
    id: p.integer().primary(),
    clientId: p.integer(),
    source: p.enum([...LOT_SOURCES]),
    purchaseId: p.integer().nullable(),
    quantity: p.integer(),
    remaining: p.integer(),
    expiresAt: p.datetime().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type CreditLot = InferEntity<typeof CreditLot>;
