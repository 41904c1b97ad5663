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
import { emitResults, loadAverage } from './report.js';
import { run, summarize, type Summary } from './stats.js';
import { seedStudio } from './studio-at-size.js';

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

  const seeded = await seedStudio(orm, { clients, entriesPerClient: perClient });
  console.log(
    `seeded ${seeded.clients} clients and ${seeded.entries} ledger entries in ${seeded.seconds.toFixed(1)} s; ` +
      `load average ${loadAverage()} (${os.cpus().length} cores)`,
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
  const lists: Array<{ list: string; contentRange: string | undefined } & Summary> = [];
  for (const [label, url] of cases) {
    const first = await app.inject({ method: 'GET', url, headers });
    if (first.statusCode !== 200) throw new Error(`${label}: ${first.statusCode} ${first.body}`);
    const { samples } = await run(requests, 1, async () => {
      const response = await app.inject({ method: 'GET', url, headers });
      if (response.statusCode !== 200) throw new Error(`${label}: ${response.statusCode}`);
    });
    const contentRange = first.headers['content-range'] as string | undefined;
    lists.push({ list: label, contentRange, ...summarize(`${label} (${contentRange})`, samples) });
  }

  // The whole ledger as CSV over real HTTP, read as a stream: time, size, and how far the API's memory grew meanwhile.
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 20);
  const began = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/api/admin/ledger.csv`, { headers });
  let bytes = 0;
  let lines = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    bytes += chunk.length;
    for (const byte of chunk) if (byte === 10) lines += 1;
  }
  clearInterval(sampler);
  const csv = {
    rows: lines - 1,
    seconds: (performance.now() - began) / 1000,
    megabytes: bytes / 1e6,
    memoryGrowthMb: (rssPeak - rssBefore) / 1e6,
  };
  console.log(
    `\nledger.csv, all ${csv.rows} rows: ${csv.seconds.toFixed(2)} s, ${csv.megabytes.toFixed(1)} MB, ` +
      `API process memory grew ${csv.memoryGrowthMb.toFixed(1)} MB (it and this reader share one process)`,
  );
  emitResults('lists', { clients: seeded.clients, entries: seeded.entries, lists, csv });
  await app.close();
  await orm.close();
} finally {
  await postgres.stop();
  await rm(root, { recursive: true, force: true });
}
