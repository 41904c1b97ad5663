import { Migration } from '@mikro-orm/migrations';

/*
 * What the purchase-to-credit workflow has done to a purchase, kept on the purchase so
 * that admins see it and so that a later run (a webhook after the refund window closed)
 * resumes from it: credits taken back by refunds, and the dispute's state with the
 * credits it holds (restored if won) and the used credits it could not take (owed if lost).
 */
export class Migration20261127100000_purchase_progress extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table purchases
        add column refunded_sessions integer not null default 0,
        add column dispute_status text,
        add column dispute_held_sessions integer not null default 0,
        add column dispute_shortfall_sessions integer not null default 0,
        add constraint purchases_refunded_sessions_check check (refunded_sessions >= 0 and refunded_sessions <= sessions),
        add constraint purchases_dispute_status_check check (dispute_status is null or dispute_status in ('open', 'won', 'lost')),
        add constraint purchases_dispute_sessions_check check (
          dispute_held_sessions >= 0 and dispute_shortfall_sessions >= 0
          and refunded_sessions + dispute_held_sessions + dispute_shortfall_sessions <= sessions);`);
    // Refunds and disputes take back only their own purchase's lots.
    this.addSql(`create index credit_lots_purchase_idx on credit_lots (purchase_id) where purchase_id is not null;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists credit_lots_purchase_idx;`);
    this.addSql(`
      alter table purchases
        drop column refunded_sessions, drop column dispute_status,
        drop column dispute_held_sessions, drop column dispute_shortfall_sessions;`);
  }
}
