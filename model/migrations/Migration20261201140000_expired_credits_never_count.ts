import { Migration } from '@mikro-orm/migrations';

const ledgerFigures = `
          select client_id,
                 sum(delta)::int as available,
                 sum(held_delta)::int as held,
                 (count(*) filter (where kind = 'consume'))::int as consumed
            from ledger_entries group by client_id`;
const cancelledBookings = `
          select client_id, count(*)::int as cancelled
            from bookings where status in ('cancelled', 'late_cancelled') group by client_id`;

/**
 * No read counts an expired credit, even in the moment between a lot's expiry and the
 * `expire` entry its workflow writes (docs/domain.md): the view takes what remains in lots
 * past their expiry off `available` (and `total`) as of now(), and shows it as `lapsed`, so
 * the cached balance still compares with `available + lapsed`. Once the entry is written
 * the lot's remainder is 0 and `lapsed` is 0 again.
 */
export class Migration20261201140000_expired_credits_never_count extends Migration {
  override async up(): Promise<void> {
    this.addSql(`drop view client_balances;`);
    this.addSql(`
      create view client_balances as
      select u.id as client_id,
             coalesce(l.available, 0) - coalesce(x.lapsed, 0) as available,
             coalesce(l.held, 0) as held,
             coalesce(l.consumed, 0) as consumed,
             coalesce(b.cancelled, 0) as cancelled,
             coalesce(l.available, 0) - coalesce(x.lapsed, 0) + coalesce(l.held, 0) + coalesce(l.consumed, 0) as total,
             coalesce(x.lapsed, 0) as lapsed
        from users u
        left join (${ledgerFigures}) l on l.client_id = u.id
        left join (
          select client_id, sum(remaining)::int as lapsed
            from credit_lots where remaining > 0 and expires_at <= now() group by client_id) x on x.client_id = u.id
        left join (${cancelledBookings}) b on b.client_id = u.id
       where u.role = 'client';`);
    // The lot workflows' backfill pages through lots with an expiry by id.
    this.addSql(`create index credit_lots_expiring_idx on credit_lots (id) where expires_at is not null and remaining > 0;`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists credit_lots_expiring_idx;`);
    this.addSql(`drop view client_balances;`);
    this.addSql(`
      create view client_balances as
      select u.id as client_id,
             coalesce(l.available, 0) as available,
             coalesce(l.held, 0) as held,
             coalesce(l.consumed, 0) as consumed,
             coalesce(b.cancelled, 0) as cancelled,
             coalesce(l.available, 0) + coalesce(l.held, 0) + coalesce(l.consumed, 0) as total
        from users u
        left join (${ledgerFigures}) l on l.client_id = u.id
        left join (${cancelledBookings}) b on b.client_id = u.id
       where u.role = 'client';`);
  }
}
