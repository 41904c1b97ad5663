import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Purchase } from './purchase.js';
import { User } from './user.js';

const p = defineEntity.properties;

export const LOT_SOURCES = ['purchase', 'allocation', 'restore'] as const;

/** A batch of credits from one source; holds draw from the lot that expires first. */
export const CreditLot = defineEntity({
  name: 'CreditLot',
  tableName: 'credit_lots',
  properties: {
    id: p.integer().primary().generated('by default as identity'),
    client: p.manyToOne(User),
    source: p.enum([...LOT_SOURCES]),
    purchase: p.manyToOne(Purchase).nullable(),
    quantity: p.integer(),
    remaining: p.integer(),
    expiresAt: p.datetime().nullable(),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
export type CreditLot = InferEntity<typeof CreditLot>;
