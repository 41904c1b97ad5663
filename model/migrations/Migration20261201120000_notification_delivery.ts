import { Migration } from '@mikro-orm/migrations';

/**
 * The outbox is delivered: each row records its delivery (state, attempts, the last
 * error), and clients may opt out of reminders and nudges.
 */
export class Migration20261201120000_notification_delivery extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      alter table notifications
        add column state text not null default 'pending' check (state in ('pending', 'sent', 'skipped', 'failed')),
        add column attempts integer not null default 0 check (attempts >= 0),
        add column last_error text,
        add column last_attempt_at timestamptz,
        add column subject text;`);
    this.addSql(`update notifications set state = 'sent' where sent_at is not null;`);
    this.addSql(`update notifications set kind = 'booking.reminder' where kind = 'session_reminder';`);
    this.addSql(`drop index notifications_unsent_idx;`);
    this.addSql(`create index notifications_pending_idx on notifications (created_at) where state = 'pending';`);
    this.addSql(`create index notifications_user_idx on notifications (user_id, created_at);`);
    this.addSql(`
      alter table users
        add column email_reminders boolean not null default true,
        add column email_nudges boolean not null default true;`);
  }

  override async down(): Promise<void> {
    this.addSql(`alter table users drop column email_reminders, drop column email_nudges;`);
    this.addSql(`drop index notifications_user_idx;`);
    this.addSql(`drop index notifications_pending_idx;`);
    this.addSql(`create index notifications_unsent_idx on notifications (created_at) where sent_at is null;`);
    this.addSql(`update notifications set kind = 'session_reminder' where kind = 'booking.reminder';`);
    this.addSql(
      `alter table notifications drop column state, drop column attempts, drop column last_error, drop column last_attempt_at, drop column subject;`,
    );
  }
}
