import { defineEntity, type InferEntity } from '@mikro-orm/core';

const p = defineEntity.properties;

export const Package = defineEntity({
  name: 'Package',
  tableName: 'packages',
  properties: {
    id: p.integer().primary().generated('by default as identity'),
    name: p.text(),
    sessions: p.integer(),
    priceCents: p.integer(),
    currency: p.text().default('usd'),
    /** Credits expire this many days after purchase; null means never. */
    validityDays: p.integer().nullable(),
    active: p.boolean().default(true),
    stripePriceId: p.text().nullable(),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
export type Package = InferEntity<typeof Package>;
