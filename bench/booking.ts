/**
 * Booking latency and throughput over real HTTP against the real stack (embedded
 * PostgreSQL, Temporal dev server, worker, API), with an empty Update-with-Start and a
 * plain database read measured in the same run as baselines. Prints figures; asserts nothing.
 *
 *   npx tsx bench/booking.ts [bookings=200]
 */
import { mkdtemp, rm, chmod } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { buildApp } from '../api/app.js';
import { createCreditActivities } from '../activities/credits.js';
import { loadSettings } from '../config/settings.js';
import { startEmbeddedPostgres } from '../launcher/embedded-postgres.js';
import { freePort } from '../launcher/free-port.js';
import { startLocalTemporal } from '../launcher/temporal.js';
import { signToken } from '../api/auth/tokens.js';
import { createAccount } from '../model/accounts.js';
import { migrateToLatest, openDatabase } from '../model/orm.js';
import { createWorker } from '../worker/worker.js';
import { pingUpdate, type emptyUpdate } from './baseline-workflow.js';
import { run, summarize } from './stats.js';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const total = Number(process.argv[2] ?? 200);
const root = await mkdtemp(path.join(os.tmpdir(), 'studio-bench-'));
await chmod(root, 0o755);
const postgres = await startEmbeddedPostgres({ clusterDir: path.join(root, 'postgres') });
await postgres.createDatabase('bench');
const temporal = await startLocalTemporal({ cliPath: process.env.TEMPORAL_CLI_PATH, log: () => {} });
const port = await freePort();
const settings = loadSettings({
  DATA_DIR: root,
  DATABASE_URL: postgres.urlFor('bench'),
  TEMPORAL_ADDRESS: temporal.address,
  PORT: String(port),
  JWT_SECRET: 'bench',
  STRIPE_WEBHOOK_SECRET: 'whsec_bench',
  RATE_LIMIT_BOOKING_PER_MINUTE: '100000',
});
const orm = await openDatabase(settings.databaseUrl!, 50);
await migrateToLatest(orm);

const nativeConnection = await NativeConnection.connect({ address: temporal.address });
const worker = await createWorker({
  connection: nativeConnection,
  namespace: 'default',
  taskQueue: settings.temporal.taskQueue,
  orm,
  settings,
});
const baselineWorker = await Worker.create({
  connection: nativeConnection,
  taskQueue: 'bench-baseline',
  workflowsPath: fileURLToPath(new URL('./baseline-workflow.ts', import.meta.url)),
});
const workersRunning = Promise.all([worker.run(), baselineWorker.run()]);
const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
const app = await buildApp({ settings, orm, temporal: client });
await app.listen({ host: '127.0.0.1', port });
const base = `http://127.0.0.1:${port}`;

const trainer = await createAccount(orm, {
  email: 'trainer@bench.test',
  password: 'bench-password',
  role: 'trainer',
  firstName: 'T',
  lastName: 'B',
});
const credits = createCreditActivities({ orm });
const clients: Array<{ id: number; token: string }> = [];
for (let i = 0; i < total; i += 1) {
  const user = await createAccount(orm, {
    email: `c${i}@bench.test`,
    password: 'bench-password',
    role: 'client',
    firstName: 'C',
    lastName: String(i),
  });
  await credits.grantCredits({
    idempotencyKey: `bench:${user.id}`,
    clientId: user.id,
    quantity: 3,
    source: 'allocation',
    actor: 'system',
    reason: 'bench',
  });
  clients.push({ id: user.id, token: signToken(app, user) });
}
const sessionIds: number[] = [];
const firstStart = Date.now() + 2 * 86_400_000;
for (let i = 0; i < 3 * total; i += 1) {
  const [row] = await orm.em
    .fork()
    .execute<{ id: number }[]>(
      `insert into training_sessions (trainer_id, starts_at, duration_minutes, capacity) values (?, ?, 30, 1) returning id`,
      [trainer.id, new Date(firstStart + i * 3_600_000)],
    );
  sessionIds.push(row!.id);
}

async function book(clientIndex: number, sessionIndex: number): Promise<void> {
  const who = clients[clientIndex]!;
  const response = await fetch(`${base}/api/sessions/book/${who.id}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${who.token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId: sessionIds[sessionIndex] }),
  });
  if (response.status !== 200) throw new Error(`booking answered ${response.status}: ${await response.text()}`);
}

async function emptyUpdateWithStart(i: number): Promise<void> {
  const startWorkflowOperation = new WithStartWorkflowOperation<typeof emptyUpdate>('emptyUpdate', {
    workflowId: `bench-empty-${process.pid}-${i}`,
    taskQueue: 'bench-baseline',
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  await client.workflow.executeUpdateWithStart(pingUpdate, { startWorkflowOperation });
}

async function summaryRead(i: number): Promise<void> {
  const who = clients[i % clients.length]!;
  const response = await fetch(`${base}/api/me/summary`, { headers: { authorization: `Bearer ${who.token}` } });
  if (response.status !== 200) throw new Error(`summary answered ${response.status}`);
}

// Warm-up: JIT, connection pools, the workflow cache.
await run(10, 2, (i) => summaryRead(i));
await run(10, 2, (i) => emptyUpdateWithStart(1_000_000 + i));

console.log(`\nStudio Sessions booking benchmark — ${total} bookings per phase, ${os.cpus().length} cores\n`);
const read = summarize('GET /api/me/summary (database read)', (await run(total, 1, summaryRead)).samples);
const empty = summarize('empty Update-with-Start, sequential', (await run(total, 1, emptyUpdateWithStart)).samples);
const booked = summarize('POST book, sequential', (await run(total, 1, (i) => book(i, i))).samples);
const emptyParallel = await run(total, 32, (i) => emptyUpdateWithStart(total + i));
summarize('empty Update-with-Start, 32 concurrent', emptyParallel.samples, emptyParallel.wallMs);
const bookedParallel = await run(total, 32, (i) => book(i, total + i));
summarize('POST book, 32 concurrent', bookedParallel.samples, bookedParallel.wallMs);
console.log(
  `\nbooking p50 / empty Update-with-Start p50: ${(booked.p50 / empty.p50).toFixed(2)}x   (database read p50 ${read.p50.toFixed(1)} ms)`,
);
console.log(
  `booking throughput / empty throughput at 32 concurrent: ${(total / bookedParallel.wallMs / (total / emptyParallel.wallMs)).toFixed(2)}x`,
);

await app.close();
worker.shutdown();
baselineWorker.shutdown();
await workersRunning;
await nativeConnection.close();
await client.connection.close();
await orm.close();
await temporal.stop();
await postgres.stop();
await rm(root, { recursive: true, force: true });
