import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { User } from './user.js';

const p = defineEntity.properties;

/**
 * A row of the client_balances view (its migration holds the definition): one client's
 * figures derived from the ledger, the one read path for every screen (docs/domain.md).
 * Mapped as a read-only table: MikroORM 6 has no `view: true`, and a virtual entity
 * (`expression`) would copy the view's SQL and could not be joined, nor keyed by its client.
 */
export const ClientBalance = defineEntity({
  name: 'ClientBalance',
  tableName: 'client_balances',
  readonly: true,
  properties: {
    client: p.manyToOne(User).primary(),
    /** Credits the client can book with now: never one whose lot has passed its expiry. */
    available: p.integer(),
    /** Credits held by live bookings (pending, in TigerBeetle's terms). */
    held: p.integer(),
    /** Credits used: attended sessions, no-shows and forfeited late cancels (posted). */
    consumed: p.integer(),
    /** Bookings cancelled, in time or late. */
    cancelled: p.integer(),
    /** available + held + consumed. */
    total: p.integer(),
    /** Credits past their lot's expiry whose `expire` entry is not written yet (the cached balance still counts them). */
    lapsed: p.integer(),
  },
});
export type ClientBalance = InferEntity<typeof ClientBalance>;
