import type { Orm } from './orm.js';
import { query, type Row } from './transaction.js';

/**
 * The webhook's inbox (table `stripe_events`): verified Stripe events about our purchases,
 * stored before the webhook answers 2xx and relayed from here to their purchase's
 * workflow. Hand-written SQL: one upsert whose RETURNING says whether the event is new.
 */

export type PurchaseSignal = 'payment' | 'refund' | 'dispute';

export interface StoredStripeEvent {
  id: number;
  eventId: string;
  purchaseId: number;
  signal: PurchaseSignal;
  payload: unknown;
}

/** Stores a routed event once per Stripe event id; a redelivery stores nothing and answers the row it found (`created` false). */
export async function recordStripeEvent(
  orm: Orm,
  event: { eventId: string; eventType: string; purchaseId: number; signal: PurchaseSignal; payload: unknown },
): Promise<StoredStripeEvent & { created: boolean; relayed: boolean }> {
  const [row] = await query<StoredStripeEvent & Row & { created: boolean; relayed: boolean }>(
    orm,
    `with inserted as (
       insert into stripe_events (event_id, event_type, purchase_id, signal, payload) values (?, ?, ?, ?, ?::jsonb)
       on conflict (event_id) do nothing
       returning id, event_id, purchase_id, signal, payload, relayed_at)
     select id::int, event_id as "eventId", purchase_id as "purchaseId", signal, payload, true as created, relayed_at is not null as relayed from inserted
     union all
     select id::int, event_id, purchase_id, signal, payload, false, relayed_at is not null from stripe_events
      where event_id = ? and not exists (select 1 from inserted)`,
    [event.eventId, event.eventType, event.purchaseId, event.signal, JSON.stringify(event.payload), event.eventId],
  );
  if (row) return row;
  // The same event delivered twice at once: this statement waited for the other's insert,
  // did nothing, and its snapshot, taken before that insert committed, cannot see the row.
  // A new statement does.
  const [stored] = await query<StoredStripeEvent & Row & { relayed: boolean }>(
    orm,
    `select id::int, event_id as "eventId", purchase_id as "purchaseId", signal, payload, relayed_at is not null as relayed
       from stripe_events where event_id = ?`,
    [event.eventId],
  );
  return { ...stored!, created: false };
}

/** The oldest events not yet handed to Temporal, in the order they arrived. */
export function unrelayedStripeEvents(orm: Orm, limit: number): Promise<StoredStripeEvent[]> {
  return query<StoredStripeEvent & Row>(
    orm,
    `select id::int, event_id as "eventId", purchase_id as "purchaseId", signal, payload
       from stripe_events where relayed_at is null order by id limit ?`,
    [limit],
  );
}

export async function markStripeEventRelayed(orm: Orm, id: number): Promise<void> {
  await query(orm, `update stripe_events set relayed_at = now() where id = ? and relayed_at is null`, [id]);
}

/** How many stored events still wait for Temporal (expected: 0 but for a moment). */
export async function unrelayedStripeEventCount(orm: Orm): Promise<number> {
  const [row] = await query<{ count: number }>(orm, `select count(*)::int as count from stripe_events where relayed_at is null`);
  return row!.count;
}
