import { Migration } from '@mikro-orm/migrations';

/** The view as the migration before this one left it: every figure aggregated over the whole ledger on every read. */
const aggregatingView = `
      create view client_balances as
      select u.id as client_id,
             coalesce(l.available, 0) - coalesce(x.lapsed, 0) as available,
             coalesce(l.held, 0) as held,
             coalesce(l.consumed, 0) as consumed,
             coalesce(b.cancelled, 0) as cancelled,
             coalesce(l.available, 0) - coalesce(x.lapsed, 0) + coalesce(l.held, 0) + coalesce(l.consumed, 0) as total,
             coalesce(x.lapsed, 0) as lapsed
        from users u
        left join (
          select client_id,
                 sum(delta)::int as available,
                 sum(held_delta)::int as held,
                 (count(*) filter (where kind = 'consume'))::int as consumed
            from ledger_entries group by client_id) l on l.client_id = u.id
        left join (
          select client_id, sum(remaining)::int as lapsed
            from credit_lots where remaining > 0 and expires_at <= now() group by client_id) x on x.client_id = u.id
        left join (
          select client_id, count(*)::int as cancelled
            from bookings where status in ('cancelled', 'late_cancelled') group by client_id) b on b.client_id = u.id
       where u.role = 'client';`;

/**
 * The console's lists at a studio's size (10,000 clients, 200,000 entries). The view summed
 * the whole ledger and counted every client's cancelled bookings on every read, so a page of
 * 25 clients sorted by balance cost a scan of every entry and every booking.
 *
 * Now the database keeps each client's figures itself, in `client_figures`, in the same
 * transaction as the change: an AFTER INSERT trigger on the append-only ledger adds each
 * entry to its client's sums, and a trigger on bookings counts the ones that enter or leave
 * a cancelled status. They are still the ledger's figures, not the hand-kept `users`
 * columns: the triggers run as the owner and the app role may only read the table
 * (model/database-roles.ts), the ledger can be neither updated, deleted nor truncated, and
 * the reconciliation checks these figures against a fresh sum of the entries and a fresh
 * count of the bookings. Expired credits still leave `available` from their lot's expiry on
 * (`lapsed`, from the few lots holding credits past their expiry, compared with now()).
 *
 * The ledger list filtered by client and kind reads (client_id, kind, id), and by kind alone
 * (its count above all) (kind, id).
 */
export class Migration20261202130000_client_figures extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table client_figures (
        client_id integer primary key references users (id),
        available integer not null default 0,
        held integer not null default 0,
        consumed integer not null default 0,
        cancelled integer not null default 0
      );`);
    this.addSql(`
      create function client_figures_add(for_client integer, add_available integer, add_held integer, add_consumed integer, add_cancelled integer)
        returns void language sql security definer set search_path = public, pg_temp as $$
        insert into client_figures as f (client_id, available, held, consumed, cancelled)
        values (for_client, add_available, add_held, add_consumed, add_cancelled)
        on conflict (client_id) do update
          set available = f.available + excluded.available,
              held = f.held + excluded.held,
              consumed = f.consumed + excluded.consumed,
              cancelled = f.cancelled + excluded.cancelled;
      $$;`);
    this.addSql(`
      create function client_figures_add_entry() returns trigger
        language plpgsql security definer set search_path = public, pg_temp as $$
      begin
        perform client_figures_add(new.client_id, new.delta, new.held_delta, (new.kind = 'consume')::int, 0);
        return null;
      end $$;`);
    this.addSql(`
      create function client_figures_count_cancelled() returns trigger
        language plpgsql security definer set search_path = public, pg_temp as $$
      begin
        if tg_op in ('UPDATE', 'DELETE') and old.status in ('cancelled', 'late_cancelled') then
          perform client_figures_add(old.client_id, 0, 0, 0, -1);
        end if;
        if tg_op in ('INSERT', 'UPDATE') and new.status in ('cancelled', 'late_cancelled') then
          perform client_figures_add(new.client_id, 0, 0, 0, 1);
        end if;
        return null;
      end $$;`);
    this.addSql(
      `revoke all on function client_figures_add(integer, integer, integer, integer, integer), client_figures_add_entry(), client_figures_count_cancelled() from public;`,
    );
    this.addSql(`
      create trigger ledger_entries_figures after insert on ledger_entries
        for each row execute function client_figures_add_entry();`);
    this.addSql(`
      create trigger bookings_figures after insert or update of status, client_id or delete on bookings
        for each row execute function client_figures_count_cancelled();`);
    this.addSql(`
      insert into client_figures (client_id, available, held, consumed)
      select client_id, sum(delta)::int, sum(held_delta)::int, (count(*) filter (where kind = 'consume'))::int
        from ledger_entries group by client_id;`);
    this.addSql(`
      insert into client_figures as f (client_id, cancelled)
      select client_id, count(*)::int from bookings where status in ('cancelled', 'late_cancelled') group by client_id
      on conflict (client_id) do update set cancelled = excluded.cancelled;`);
    this.addSql(`drop view client_balances;`);
    this.addSql(`
      create view client_balances as
      select u.id as client_id,
             coalesce(f.available, 0) - coalesce(x.lapsed, 0) as available,
             coalesce(f.held, 0) as held,
             coalesce(f.consumed, 0) as consumed,
             coalesce(f.cancelled, 0) as cancelled,
             coalesce(f.available, 0) - coalesce(x.lapsed, 0) + coalesce(f.held, 0) + coalesce(f.consumed, 0) as total,
             coalesce(x.lapsed, 0) as lapsed
        from users u
        left join client_figures f on f.client_id = u.id
        left join (
          select client_id, sum(remaining)::int as lapsed
            from credit_lots where remaining > 0 and expires_at <= now() group by client_id) x on x.client_id = u.id
       where u.role = 'client';`);
    this.addSql(`create index ledger_entries_client_kind_idx on ledger_entries (client_id, kind, id);`);
    this.addSql(`create index ledger_entries_kind_idx on ledger_entries (kind, id);`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop index if exists ledger_entries_client_kind_idx, ledger_entries_kind_idx;`);
    this.addSql(`drop view client_balances;`);
    this.addSql(aggregatingView);
    this.addSql(`drop trigger ledger_entries_figures on ledger_entries;`);
    this.addSql(`drop trigger bookings_figures on bookings;`);
    this.addSql(`drop function client_figures_add_entry(), client_figures_count_cancelled();`);
    this.addSql(`drop function client_figures_add(integer, integer, integer, integer, integer);`);
    this.addSql(`drop table client_figures;`);
  }
}
