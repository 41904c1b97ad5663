/**
 * The console's lists at a studio's size: 10,000 clients and 200,000 ledger entries in a
 * real (embedded) PostgreSQL, read through the real routes (server time, `inject`), with
 * the query plan of each. Temporal is not running: reads must never need it. Prints
 * figures; asserts nothing.
 *
 *   npx tsx bench/console-lists.ts [requests=200] [clients=10000] [entriesPerClient=20]
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { buildApp } from '../api/app.js';
import { signToken } from '../api/auth/tokens.js';
import { loadSettings } from '../config/settings.js';
import { startEmbeddedPostgres } from '../launcher/embedded-postgres.js';
import { createAccount } from '../model/accounts.js';
import { migrateToLatest, openDatabase } from '../model/orm.js';
import { query } from '../model/transaction.js';
import { run, summarize } from './stats.js';

const requests = Number(process.argv[2] ?? 200);
const clients = Number(process.argv[3] ?? 10_000);
const perClient = Number(process.argv[4] ?? 20);

const root = await mkdtemp(path.join(os.tmpdir(), 'studio-lists-'));
await chmod(root, 0o755);
const postgres = await startEmbeddedPostgres({ clusterDir: path.join(root, 'postgres') });
try {
  await postgres.createDatabase('lists');
  const url = postgres.urlFor('lists');
  const orm = await openDatabase(url);
  await migrateToLatest(orm);

  const seeded = performance.now();
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
  // Per client: one grant of enough credits, then holds and consumes in turn, a release now and then.
  await query(
    orm,
    `insert into credit_lots (client_id, source, quantity, remaining)
     select id, 'allocation', ?, ? from users where role = 'client'`,
    [perClient, perClient],
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
    [perClient, perClient, perClient],
  );
  await query(
    orm,
    `update users u set available_sessions = l.available, held_sessions = l.held
       from (select client_id, sum(delta)::int as available, sum(held_delta)::int as held from ledger_entries group by client_id) l
      where l.client_id = u.id`,
  );
  await query(orm, `update credit_lots l set remaining = u.available_sessions from users u where u.id = l.client_id`);
  await query(orm, `analyze`);
  const [counts] = await query<{ clients: number; entries: number }>(
    orm,
    `select (select count(*)::int from users where role = 'client') as clients, (select count(*)::int from ledger_entries) as entries`,
  );
  console.log(
    `seeded ${counts!.clients} clients and ${counts!.entries} ledger entries in ${((performance.now() - seeded) / 1000).toFixed(1)} s`,
  );

  const settings = loadSettings({ DATA_DIR: root, DATABASE_URL: url, JWT_SECRET: 'bench', STRIPE_WEBHOOK_SECRET: 'whsec_bench' });
  // A client that would only ever fail: the lists must not need Temporal at all.
  const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
  const app = await buildApp({ settings, orm, temporal });
  const admin = await createAccount(orm, {
    email: 'admin@bench.test',
    password: 'bench-password',
    role: 'admin',
    firstName: 'Bench',
    lastName: 'Admin',
  });
  const headers = { authorization: `Bearer ${signToken(app, admin)}` };
  const someClient = Math.floor(clients / 2);

  const list = (resource: string, params: Record<string, unknown>) =>
    `/api/admin/${resource}?${new URLSearchParams(Object.fromEntries(Object.entries(params).map(([key, value]) => [key, JSON.stringify(value)])))}`;
  const cases: Array<[string, string]> = [
    ['clients by balance', list('clients', { sort: ['availableSessions', 'ASC'], range: [0, 24] })],
    ['clients by balance, q="son"', list('clients', { sort: ['availableSessions', 'DESC'], range: [0, 24], filter: { q: 'son' } })],
    ['clients by last name, page 200', list('clients', { sort: ['lastName', 'ASC'], range: [5000, 5024] })],
    ['ledger, newest first', list('ledger', { sort: ['id', 'DESC'], range: [0, 24] })],
    [
      'ledger of one client, kind consume',
      list('ledger', { sort: ['id', 'DESC'], range: [0, 24], filter: { clientId: someClient, kind: ['consume'] } }),
    ],
    ['ledger, kind release, newest first', list('ledger', { sort: ['id', 'DESC'], range: [0, 24], filter: { kind: ['release'] } })],
  ];
  console.log(`\n${requests} requests each, one at a time, server time (inject):`);
  for (const [label, url] of cases) {
    const first = await app.inject({ method: 'GET', url, headers });
    if (first.statusCode !== 200) throw new Error(`${label}: ${first.statusCode} ${first.body}`);
    const { samples } = await run(requests, 1, async () => {
      const response = await app.inject({ method: 'GET', url, headers });
      if (response.statusCode !== 200) throw new Error(`${label}: ${response.statusCode}`);
    });
    summarize(`${label} (${first.headers['content-range']})`, samples);
  }
  await app.close();
  await orm.close();
} finally {
  await postgres.stop();
  await rm(root, { recursive: true, force: true });
}
