import { defineEntity, type InferEntity } from '@mikro-orm/core';

const p = defineEntity.properties;

export const Package = defineEntity({
  name: 'Package',
  tableName: 'packages',
  properties: {
    id: p.integer().primary(),
    name: p.string(),
    sessions: p.integer(),
    priceCents: p.integer(),
    currency: p.string().default('usd'),
    /** Credits expire this many days after purchase; null means never. */
    validityDays: p.integer().nullable(),
    active: p.boolean().default(true),
    stripePriceId: p.string().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Package = InferEntity<typeof Package>;
