import { Migration } from '@mikro-orm/migrations';

/**
 * The dashboard's reads (model/dashboard.ts), each by the narrowest index: a trainer's
 * sessions of the day, the purchases paid in a period, open checkouts, and the credits
 * bookings hold from each lot (the liability adds them to what remains in the lot).
 */
export class Migration20261201120000_dashboard_indexes extends Migration {
  override async up(): Promise<void> {
    this.addSql(`create index training_sessions_trainer_starts_idx on training_sessions (trainer_id, starts_at);`);
    this.addSql(`create index purchases_paid_at_idx on purchases (paid_at) where paid_at is not null;`);
    this.addSql(`create index purchases_pending_idx on purchases (created_at) where status = 'pending';`);
    this.addSql(`create index bookings_held_lot_idx on bookings (lot_id) where credit_state = 'held';`);
  }

  override async down(): Promise<void> {
    this.addSql(
      `drop index if exists training_sessions_trainer_starts_idx, purchases_paid_at_idx, purchases_pending_idx, bookings_held_lot_idx;`,
    );
  }
}
