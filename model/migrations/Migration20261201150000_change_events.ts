import { Migration } from '@mikro-orm/migrations';

/** One trigger per table the console shows; each names who may see the change (its client, its trainer). */
const TRIGGERS: { table: string; body: string }[] = [
  {
    table: 'ledger_entries',
    body: `perform change_events_emit('ledger', new.id, new.client_id,
             (select trainer_id from training_sessions where id = new.session_id), new.session_id);`,
  },
  {
    table: 'users',
    body: `perform change_events_emit('users', new.id,
             case when new.role = 'client' then new.id end, case when new.role = 'trainer' then new.id end, null);`,
  },
  {
    table: 'training_sessions',
    // A session handed to another trainer leaves the first one's schedule: they hear of it too.
    body: `perform change_events_emit('sessions', new.id, null, new.trainer_id, new.id);
           if tg_op = 'UPDATE' and old.trainer_id <> new.trainer_id then
             perform change_events_emit('sessions', new.id, null, old.trainer_id, new.id);
           end if;`,
  },
  {
    table: 'bookings',
    body: `perform change_events_emit('bookings', new.id, new.client_id,
             (select trainer_id from training_sessions where id = new.session_id), new.session_id);`,
  },
  { table: 'purchases', body: `perform change_events_emit('purchases', new.id, new.client_id, null, null);` },
  { table: 'packages', body: `perform change_events_emit('packages', new.id, null, null, null);` },
];

/**
 * Live updates (GET /api/events): every committed change to a row the console shows is
 * one `change_events` row and one NOTIFY on the `change_events` channel, whichever API
 * instance or worker made it. The table is what a reconnecting listener or browser
 * catches up from; the notification carries the whole row so listeners need no query.
 *
 * The triggers are deferred to commit, so ids are drawn in (nearly) commit order: a
 * resume from `id > n` then misses nothing committed before it, which ids drawn at the
 * first write of a long transaction could not promise.
 */
export class Migration20261201150000_change_events extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table change_events (
        id bigint generated always as identity primary key,
        resource text not null,
        record_id bigint not null,
        client_id integer,
        trainer_id integer,
        session_id integer,
        created_at timestamptz not null default now()
      );`);
    this.addSql(`create index change_events_created_idx on change_events (created_at);`);
    this.addSql(`
      create function change_events_emit(event_resource text, event_record bigint, event_client integer,
                                         event_trainer integer, event_session integer) returns void
        language plpgsql as $$
      declare
        event change_events;
      begin
        insert into change_events (resource, record_id, client_id, trainer_id, session_id)
          values (event_resource, event_record, event_client, event_trainer, event_session)
          returning * into event;
        perform pg_notify('change_events', json_build_object(
          'id', event.id, 'resource', event.resource, 'recordId', event.record_id, 'clientId', event.client_id,
          'trainerId', event.trainer_id, 'sessionId', event.session_id, 'createdAt', event.created_at)::text);
      end $$;`);
    for (const { table, body } of TRIGGERS) {
      this.addSql(`
        create function ${table}_change_event() returns trigger language plpgsql as $$
        begin
          if tg_op = 'UPDATE' and new is not distinct from old then
            return null;
          end if;
          ${body}
          return null;
        end $$;`);
      this.addSql(`
        create constraint trigger ${table}_change_event after insert or update on ${table}
          deferrable initially deferred for each row execute function ${table}_change_event();`);
    }
  }

  override async down(): Promise<void> {
    for (const { table } of TRIGGERS) {
      this.addSql(`drop trigger ${table}_change_event on ${table};`);
      this.addSql(`drop function ${table}_change_event();`);
    }
    this.addSql(`drop function change_events_emit(text, bigint, integer, integer, integer);`);
    this.addSql(`drop table change_events;`);
  }
}
