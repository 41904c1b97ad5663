import { Migration } from '@mikro-orm/migrations';

/**
 * A removal (refund, dispute hold, admin correction) may take credits from several lots in
 * one entry; the entry now names them, `[{ "lotId": 7, "sessions": 2 }, …]`, so the
 * reports value each credit at its own lot's price (README, "Reports"). Entries written
 * before this column have no breakdown; the reports count them as unattributed.
 */
export class Migration20261202120000_lots_taken extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table ledger_entries add column lots_taken jsonb;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table ledger_entries drop column lots_taken;`);
  }
}
