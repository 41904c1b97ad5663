import { Migration } from '@mikro-orm/migrations';

/** The view with its two ledger figures under the given names; up and down differ only in those. */
const clientBalancesView = (held: string, consumed: string) => `
      create view client_balances as
      select u.id as client_id,
             coalesce(l.available, 0) as available,
             coalesce(l.held, 0) as ${held},
             coalesce(l.consumed, 0) as ${consumed},
             coalesce(b.cancelled, 0) as cancelled,
             coalesce(l.available, 0) + coalesce(l.held, 0) + coalesce(l.consumed, 0) as total
        from users u
        left join (
          select client_id,
                 sum(delta)::int as available,
                 sum(held_delta)::int as held,
                 (count(*) filter (where kind = 'consume'))::int as consumed
            from ledger_entries group by client_id) l on l.client_id = u.id
        left join (
          select client_id, count(*)::int as cancelled
            from bookings where status in ('cancelled', 'late_cancelled') group by client_id) b on b.client_id = u.id
       where u.role = 'client';`;

/**
 * One word per figure (docs/domain.md): a credit a booking holds is `held` and a credit
 * used up is `consumed` everywhere below the seed's own endpoints, which alone keep their
 * older names (`scheduled`, `completed`). A view's columns cannot be renamed in place, so
 * it is created anew; the same figures from the same ledger.
 */
export class Migration20261201110000_one_word_per_figure extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop view client_balances;`);
    this.addSql(clientBalancesView('held', 'consumed'));
  }

  override async down(): Promise<void> {
    this.addSql(`drop view client_balances;`);
    this.addSql(clientBalancesView('scheduled', 'completed'));
  }
}
