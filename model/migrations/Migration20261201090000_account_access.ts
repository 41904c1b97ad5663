import { Migration } from '@mikro-orm/migrations';

/*
 * Access that can be taken back at once: a deactivated account or a changed role must stop
 * working on the next request, not when its token expires. Every token carries the
 * account's token_version; deactivating, changing the role or setting a password bumps it.
 *
 * Rate-limit windows live here too, so that every API instance counts the same hits
 * (an in-process counter would multiply each limit by the number of replicas). The table
 * is unlogged: a crash may forget the current minute's counts, never anything that matters.
 */
export class Migration20261201090000_account_access extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table users
        add column token_version integer not null default 0 check (token_version >= 0),
        add column active boolean not null default true;`);
    this.addSql(`
      create unlogged table rate_limit_windows (
        bucket text not null,
        window_start timestamptz not null,
        hits integer not null default 1,
        primary key (bucket, window_start)
      );`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists rate_limit_windows;`);
    this.addSql(`alter table users drop column token_version, drop column active;`);
  }
}
