import { Migration } from '@mikro-orm/migrations';

/**
 * How many clients the studio has, kept by a trigger: the console's clients list shows it
 * under every page (react-admin's Content-Range total), and counting 10,000 clients cost
 * 1.6 ms of database time per page, more than the page itself. Clients are added far more
 * rarely than the list is read, so one row updated at each sign-up costs nothing that
 * matters. Accounts are deactivated, never deleted, but a delete is counted all the same.
 * Like client_figures it is derived: the trigger runs as the owner and the app only reads it.
 */
export class Migration20261204090000_client_count extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table client_count (
        only_row boolean primary key default true check (only_row),
        clients integer not null check (clients >= 0)
      );`);
    this.addSql(`insert into client_count (clients) select count(*) from users where role = 'client';`);
    this.addSql(`
      create function client_count_keep() returns trigger
        language plpgsql security definer set search_path = public, pg_temp as $$
      declare
        change integer := (case when tg_op <> 'DELETE' and new.role = 'client' then 1 else 0 end)
                        - (case when tg_op <> 'INSERT' and old.role = 'client' then 1 else 0 end);
      begin
        if change <> 0 then
          update client_count set clients = clients + change;
        end if;
        return null;
      end $$;`);
    this.addSql(`create trigger users_client_count after insert or delete or update of role on users
                 for each row execute function client_count_keep();`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop trigger if exists users_client_count on users;`);
    this.addSql(`drop function if exists client_count_keep();`);
    this.addSql(`drop table if exists client_count;`);
  }
}
