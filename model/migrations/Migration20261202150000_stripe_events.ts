import { Migration } from '@mikro-orm/migrations';

/**
 * The webhook's inbox: every verified Stripe event about one of our purchases is a row,
 * committed before Stripe gets its 2xx, and relayed from here to the purchase's workflow
 * (signal-with-start). `relayed_at` is null until Temporal has recorded the signal, so a
 * Temporal outage, or an API instance dying between the commit and the relay, delays a
 * credit and never loses one. One row per Stripe event id: redeliveries find it there.
 */
export class Migration20261202150000_stripe_events extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table stripe_events (
        id bigint generated always as identity primary key,
        event_id text not null unique,
        event_type text not null,
        purchase_id integer not null,
        signal text not null check (signal in ('payment', 'refund', 'dispute')),
        payload jsonb not null,
        received_at timestamptz not null default now(),
        relayed_at timestamptz
      );`);
    // The relay's sweep reads only what is still to hand over.
    this.addSql(`create index stripe_events_unrelayed_idx on stripe_events (id) where relayed_at is null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table stripe_events;`);
  }
}
