/**
 * The reads a studio's clients and staff make most, over real HTTP against the API as
 * `npm run api` runs it (API_PROCESSES processes, default 2 here) on a studio at size:
 * a client's summary, their ledger page, the bookable sessions of the next two weeks, and
 * the console's client list. Each at 1 client and at 32 concurrent, beside `/healthz` (no
 * database, no auth) in the same run as the floor. Temporal is not running: no read may
 * need it. Prints figures; asserts nothing.
 *
 *   npx tsx bench/reads.ts [requests=3000] [clients=10000] [entriesPerClient=20]
 *   API_PROCESSES=1 npx tsx bench/reads.ts
 *   READS_CPU_PROFILE_DIR=/tmp/profiles npx tsx bench/reads.ts   # each API process writes a .cpuprofile there
 */
import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import jwt from '@fastify/jwt';
import { signToken } from '../api/auth/tokens.js';
import { startEmbeddedPostgres } from '../launcher/embedded-postgres.js';
import { freePort } from '../launcher/free-port.js';
import { migrateToLatest, openDatabase } from '../model/orm.js';
import { query } from '../model/transaction.js';
import { emitResults, loadAverage } from './report.js';
import { percentile, run } from './stats.js';
import { seedStudio } from './studio-at-size.js';

const requests = Number(process.argv[2] ?? 3000);
const clients = Number(process.argv[3] ?? 10_000);
const perClient = Number(process.argv[4] ?? 20);
const processes = process.env.API_PROCESSES ?? '2';

const root = await mkdtemp(path.join(os.tmpdir(), 'studio-reads-'));
await chmod(root, 0o755);
const postgres = await startEmbeddedPostgres({ clusterDir: path.join(root, 'postgres') });
let api: ReturnType<typeof spawn> | undefined;
try {
  await postgres.createDatabase('reads');
  const url = postgres.urlFor('reads');
  const orm = await openDatabase(url);
  await migrateToLatest(orm);
  const seeded = await seedStudio(orm, { clients, entriesPerClient: perClient });
  const [admin] = await query<{ id: number; tokenVersion: number }>(
    orm,
    `insert into users (email, password_hash, role, first_name, last_name) values ('admin@bench.test', 'not-a-hash', 'admin', 'Bench', 'Admin')
     returning id, token_version as "tokenVersion"`,
  );
  // Every request is a different client's, as many clients' phones would be.
  const someClients = await query<{ id: number; tokenVersion: number }>(
    orm,
    `select id, token_version as "tokenVersion" from users where role = 'client' order by random() limit 500`,
  );
  await orm.close();

  const jwtSecret = 'bench-reads';
  const signer = Fastify();
  await signer.register(jwt, { secret: jwtSecret, sign: { expiresIn: '12h' } });
  const adminToken = signToken(signer, { ...admin!, role: 'admin' });
  const clientTokens = someClients.map((client) => signToken(signer, { ...client, role: 'client' }));

  const port = await freePort();
  const profile = process.env.READS_CPU_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.READS_CPU_PROFILE_DIR}`] : [];
  api = spawn(process.execPath, [...profile, '--import', 'tsx', 'bench/reads-api.ts'], {
    env: {
      ...process.env,
      API_PROCESSES: processes,
      DATABASE_URL: url,
      DATA_DIR: root,
      JWT_SECRET: jwtSecret,
      STRIPE_WEBHOOK_SECRET: 'whsec_bench',
      HOST: '127.0.0.1',
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  // Every process listening before the first connection, so the cluster spreads them all.
  await new Promise<void>((resolve, reject) => {
    let listening = 0;
    api!.stdout!.on('data', (chunk: Buffer) => {
      listening += (chunk.toString().match(/listening/g) ?? []).length;
      if (listening >= Number(processes)) resolve();
    });
    api!.once('exit', (code) => reject(new Error(`the API exited (${code}) before listening`)));
  });

  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  const get = (pathname: string, token?: string) =>
    new Promise<void>((resolve, reject) => {
      const request = http.get(
        { host: '127.0.0.1', port, path: pathname, agent, headers: token ? { authorization: `Bearer ${token}` } : {} },
        (response) => {
          response.resume();
          response.on('end', () =>
            response.statusCode === 200 ? resolve() : reject(new Error(`${pathname} answered ${response.statusCode}`)),
          );
        },
      );
      request.on('error', reject);
    });
  const token = (i: number) => clientTokens[i % clientTokens.length]!;
  const list = (params: Record<string, unknown>) =>
    new URLSearchParams(Object.fromEntries(Object.entries(params).map(([key, value]) => [key, JSON.stringify(value)]))).toString();
  const reads: Array<[string, (i: number) => Promise<void>]> = [
    ['GET /healthz (floor)', () => get('/healthz')],
    ['GET /api/me/summary', (i) => get('/api/me/summary', token(i))],
    ['GET /api/me/ledger (50 entries)', (i) => get('/api/me/ledger', token(i))],
    ['GET /api/sessions (bookable, 14 days)', (i) => get('/api/sessions', token(i))],
    [
      'GET /api/admin/clients (25, by last name)',
      () => get(`/api/admin/clients?${list({ sort: ['lastName', 'ASC'], range: [0, 24] })}`, adminToken),
    ],
  ];

  console.log(
    `seeded ${seeded.clients} clients, ${seeded.entries} ledger entries, ${seeded.sessions} sessions in ${seeded.seconds.toFixed(1)} s; ` +
      `API: ${processes} process(es) on ${os.cpus().length} cores; load average ${loadAverage()}`,
  );
  console.log(
    `\n${'read'.padEnd(44)} ${'1 client p50'.padStart(12)} ${'p99'.padStart(7)}   ${'32 clients p50'.padStart(14)} ${'p99'.padStart(7)} ${'req/s'.padStart(7)}  of floor`,
  );
  let floor = 0;
  const figures: Array<Record<string, unknown>> = [];
  for (const [label, read] of reads) {
    await run(200, 8, read);
    const one = (await run(Math.max(200, Math.round(requests / 6)), 1, read)).samples.sort((a, b) => a - b);
    const many = await run(requests, 32, read);
    const sorted = many.samples.sort((a, b) => a - b);
    const rate = requests / (many.wallMs / 1000);
    if (floor === 0) floor = rate;
    const oneClient = { p50: percentile(one, 50), p99: percentile(one, 99) };
    const concurrent = { clients: 32, p50: percentile(sorted, 50), p99: percentile(sorted, 99), perSecond: rate };
    figures.push({ read: label, oneClient, concurrent, ofFloor: rate / floor });
    console.log(
      `${label.padEnd(44)} ${oneClient.p50.toFixed(2).padStart(9)} ms ${oneClient.p99.toFixed(1).padStart(7)}   ` +
        `${concurrent.p50.toFixed(1).padStart(11)} ms ${concurrent.p99.toFixed(1).padStart(7)} ${rate.toFixed(0).padStart(7)}  ${(rate / floor).toFixed(2)}x`,
    );
  }
  console.log(`\nload average after: ${loadAverage()}`);
  emitResults('reads', { apiProcesses: Number(processes), clients: seeded.clients, reads: figures });
  agent.destroy();
} finally {
  if (api && api.exitCode === null) {
    const exited = new Promise((resolve) => api!.once('exit', resolve));
    api.kill('SIGTERM');
    await exited;
  }
  await postgres.stop();
  await rm(root, { recursive: true, force: true });
}
