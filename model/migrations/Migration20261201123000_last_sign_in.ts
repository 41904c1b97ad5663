import { Migration } from '@mikro-orm/migrations';

/** When each account last signed in, so the Staff page can show who still uses the console. */
export class Migration20261201123000_last_sign_in extends Migration {
  override async up(): Promise<void> {
    this.addSql(`alter table users add column last_signed_in_at timestamptz;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table users drop column last_signed_in_at;`);
  }
}
