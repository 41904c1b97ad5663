import { Migration } from '@mikro-orm/migrations';

/**
 * A cancelled session ends its waitlist with it: each waiting entry becomes `cancelled`
 * (and its client is told), apart from the cutoff's `expired`, so the studio can tell a
 * session it called off from one nobody's seat freed up for.
 */
export class Migration20261203090000_waitlist_cancelled extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table waitlist_entries drop constraint waitlist_entries_state_check;`);
    this.addSql(`alter table waitlist_entries add constraint waitlist_entries_state_check
      check (state in ('waiting', 'promoted', 'skipped', 'left', 'expired', 'cancelled'));`);
  }

  override async down(): Promise<void> {
    this.addSql(`update waitlist_entries set state = 'expired' where state = 'cancelled';`);
    this.addSql(`alter table waitlist_entries drop constraint waitlist_entries_state_check;`);
    this.addSql(`alter table waitlist_entries add constraint waitlist_entries_state_check
      check (state in ('waiting', 'promoted', 'skipped', 'left', 'expired'));`);
  }
}
