import { query } from '../model/transaction.js';
import type { Orm } from '../model/orm.js';

/**
 * A studio at size, written straight in SQL (no password hashing, no workflows) so the read
 * benchmarks start in seconds: `clients` clients, each with one lot and `entriesPerClient`
 * ledger entries (a grant, then holds and consumes in turn, a release now and then), cached
 * balances and lots that agree with their ledger, and `trainers` trainers with `perDay`
 * sessions a day over the next `days` days.
 */
export async function seedStudio(
  orm: Orm,
  {
    clients,
    entriesPerClient,
    trainers = 3,
    perDay = 6,
    days = 14,
  }: {
    clients: number;
    entriesPerClient: number;
    trainers?: number;
    perDay?: number;
    days?: number;
  },
): Promise<{ clients: number; entries: number; sessions: number; seconds: number }> {
  const began = performance.now();
  // Names from a small pool, so a search like "son" matches about one client in ten, as in a real studio.
  await query(
    orm,
    `insert into users (email, password_hash, role, first_name, last_name)
     select 'client' || g || '@bench.test', 'not-a-hash', 'client',
            (array['Ava','Ben','Chloe','Dan','Ella','Finn','Grace','Hugo','Isla','Jack'])[1 + g % 10],
            (array['Smith','Jones','Taylor','Brown','Wilson','Evans','Thomas','Johnson','Roberts','Walker','Wright','Robinson'])[1 + (g / 10) % 12] || g
       from generate_series(1, ?) g`,
    [clients],
  );
  await query(
    orm,
    `insert into credit_lots (client_id, source, quantity, remaining)
     select id, 'allocation', ?, ? from users where role = 'client'`,
    [entriesPerClient, entriesPerClient],
  );
  await query(
    orm,
    `with steps as (
       select u.id as client_id, l.id as lot_id, s.pos,
              case when s.pos = 1 then 'grant' when s.pos % 2 = 0 then 'hold' when s.pos % 7 = 0 then 'release' else 'consume' end as kind
         from users u join credit_lots l on l.client_id = u.id, generate_series(1, ?) s(pos)
        where u.role = 'client'),
     figures as (
       select *, case kind when 'grant' then ? when 'hold' then -1 when 'release' then 1 else 0 end as delta,
                 case kind when 'hold' then 1 when 'grant' then 0 else -1 end as held_delta
         from steps)
     insert into ledger_entries (client_id, lot_id, kind, delta, held_delta, balance_after, held_after, actor, reason, idempotency_key, created_at)
     select client_id, lot_id, kind, delta, held_delta,
            sum(delta) over w, sum(held_delta) over w, 'system', 'bench', 'bench:' || client_id || ':' || pos,
            now() - make_interval(mins => (? - pos) * 60 + client_id % 60)
       from figures window w as (partition by client_id order by pos)`,
    [entriesPerClient, entriesPerClient, entriesPerClient],
  );
  await query(
    orm,
    `update users u set available_sessions = l.available, held_sessions = l.held
       from (select client_id, sum(delta)::int as available, sum(held_delta)::int as held from ledger_entries group by client_id) l
      where l.client_id = u.id`,
  );
  await query(orm, `update credit_lots l set remaining = u.available_sessions from users u where u.id = l.client_id`);
  await query(
    orm,
    `insert into users (email, password_hash, role, first_name, last_name)
     select 'trainer' || g || '@bench.test', 'not-a-hash', 'trainer', 'Trainer', 'No' || g from generate_series(1, ?) g`,
    [trainers],
  );
  // Each trainer's day: `perDay` half-hour sessions an hour apart from 07:00 UTC, from tomorrow on.
  await query(
    orm,
    `insert into training_sessions (trainer_id, starts_at, duration_minutes, capacity)
     select t.id, date_trunc('day', now()) + make_interval(days => d, hours => 7 + h), 30, 1 + (d + h) % 4
       from users t, generate_series(1, ?) d, generate_series(0, ? - 1) h
      where t.role = 'trainer'`,
    [days, perDay],
  );
  await query(orm, `analyze`);
  const [counts] = await query<{ clients: number; entries: number; sessions: number }>(
    orm,
    `select (select count(*)::int from users where role = 'client') as clients,
            (select count(*)::int from ledger_entries) as entries,
            (select count(*)::int from training_sessions) as sessions`,
  );
  return { ...counts!, seconds: (performance.now() - began) / 1000 };
}
