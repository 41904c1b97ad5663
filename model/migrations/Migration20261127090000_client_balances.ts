import { Migration } from '@mikro-orm/migrations';

/**
 * One query path for every figure shown for a client: the API summary, the
 * clients list and the console all read this view, which derives each figure from the
 * ledger itself (and cancellations from bookings), never from a hand-kept counter.
 */
export class Migration20261127090000_client_balances extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create view client_balances as
      select u.id as client_id,
             coalesce(l.available, 0) as available,
             coalesce(l.scheduled, 0) as scheduled,
             coalesce(l.completed, 0) as completed,
             coalesce(b.cancelled, 0) as cancelled,
             coalesce(l.available, 0) + coalesce(l.scheduled, 0) + coalesce(l.completed, 0) as total
        from users u
        left join (
          select client_id,
                 sum(delta)::int as available,
                 sum(held_delta)::int as scheduled,
                 (count(*) filter (where kind = 'consume'))::int as completed
            from ledger_entries group by client_id) l on l.client_id = u.id
        left join (
          select client_id, count(*)::int as cancelled
            from bookings where status in ('cancelled', 'late_cancelled') group by client_id) b on b.client_id = u.id
       where u.role = 'client';`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop view if exists client_balances;`);
  }
}
