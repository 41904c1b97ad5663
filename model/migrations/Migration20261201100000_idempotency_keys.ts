import { Migration } from '@mikro-orm/migrations';

/*
 * The first answer to each Idempotency-Key, so that the same request sent again gets the
 * same answer and a different request under the same key is refused. A key
 * belongs to one route and one signed-in user (the scope), so nobody reads another's answer.
 */
export class Migration20261201100000_idempotency_keys extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table idempotency_keys (
        scope text not null,
        key text not null,
        request_hash text not null,
        status text not null default 'pending',
        response_status integer,
        response_body json,
        created_at timestamptz not null default now(),
        answered_at timestamptz,
        primary key (scope, key),
        constraint idempotency_keys_status_check check (status in ('pending', 'done')),
        constraint idempotency_keys_answer_check check (
          (status = 'pending' and response_status is null and answered_at is null)
          or (status = 'done' and response_status between 200 and 499 and answered_at is not null)));`);
  }

  override async down(): Promise<void> {
    this.addSql(`drop table if exists idempotency_keys;`);
  }
}
