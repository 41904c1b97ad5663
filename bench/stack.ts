/**
 * The real stack a booking benchmark runs against, in one process: embedded PostgreSQL,
 * a Temporal server (the dev server, or any TEMPORAL address given), the app's worker and
 * a worker for the empty baseline workflow, and the API on a free port. Clients and
 * sessions are seeded straight into PostgreSQL (the benchmarks measure booking, not
 * seeding).
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection, WithStartWorkflowOperation } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import pg from 'pg';
import { buildApp } from '../api/app.js';
import { WorkflowCommands } from '../api/workflow-commands.js';
import { signToken } from '../api/auth/tokens.js';
import { loadSettings, type Settings } from '../config/settings.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../launcher/embedded-postgres.js';
import { freePort } from '../launcher/free-port.js';
import { startLocalTemporal } from '../launcher/temporal.js';
import { migrateToLatest, openDatabase, type Orm } from '../model/orm.js';
import { createWorker } from '../worker/worker.js';
import { baselineActivities, pingUpdate, type emptyUpdate, type localActivityUpdate } from './baseline-workflow.js';

// The core's own metrics (bench/worker-metrics.ts reads them): where a task's time goes inside the worker.
const coreMetricsPort = await freePort();
Runtime.install({
  logger: new DefaultLogger('ERROR'),
  telemetryOptions: { metrics: { prometheus: { bindAddress: `127.0.0.1:${coreMetricsPort}` } } },
});
/** The worker's Temporal SDK core metrics, in Prometheus' text format. */
export const coreMetricsUrl = `http://127.0.0.1:${coreMetricsPort}/metrics`;

export interface BenchClient {
  id: number;
  token: string;
}

export interface BookingAnswer {
  status: number;
  body: { code?: string; message?: string };
}

export interface BenchStack {
  postgres: RunningPostgres;
  databaseUrl: string;
  orm: Orm;
  settings: Settings;
  temporalAddress: string;
  /** A plain pg pool on the app's database, for the SQL floor and the seed baseline. */
  pool: pg.Pool;
  /** `n` clients with `credits` credits each (one allocation lot, its ledger entry, the cached balance). */
  seedClients(n: number, credits: number): Promise<BenchClient[]>;
  /** `n` future sessions, an hour apart (never overlapping), of the given capacity. */
  seedSessions(n: number, capacity: number): Promise<number[]>;
  book(who: BenchClient, sessionId: number): Promise<BookingAnswer>;
  /** The same booking through the API's own workflow command, without HTTP, auth or the route's reads. */
  bookWithoutHttp(who: BenchClient, sessionId: number): Promise<void>;
  /** The floor: an Update-with-Start whose workflow does nothing. */
  emptyUpdateWithStart(i: number): Promise<void>;
  /** The same with one no-op local activity in the handler. */
  localActivityUpdateWithStart(i: number): Promise<void>;
  stop(): Promise<void>;
}

export interface BenchStackOptions {
  label: string;
  /** Start the Temporal server here, given the PostgreSQL cluster and a work directory; the dev server when omitted. */
  temporal?: (postgres: RunningPostgres, workDir: string) => Promise<{ address: string; stop: () => Promise<void> }>;
}

let seeded = 0;

export async function startBenchStack(options: BenchStackOptions): Promise<BenchStack> {
  const root = await mkdtemp(path.join(os.tmpdir(), `studio-bench-${options.label}-`));
  await chmod(root, 0o755);
  const postgres = await startEmbeddedPostgres({ clusterDir: path.join(root, 'postgres'), ephemeral: true });
  const stops: Array<() => Promise<unknown>> = [() => postgres.stop(), () => rm(root, { recursive: true, force: true })];
  const stop = async () => {
    for (const step of stops.reverse()) await step().catch((error) => console.error(`bench cleanup: ${String(error)}`));
  };
  try {
    await postgres.createDatabase('bench');
    const temporal = options.temporal
      ? await options.temporal(postgres, root)
      : await startLocalTemporal({ cliPath: process.env.TEMPORAL_CLI_PATH, log: () => {} });
    stops.push(() => temporal.stop());
    const port = await freePort();
    const databaseUrl = postgres.urlFor('bench');
    const settings = loadSettings({
      DATA_DIR: root,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      PORT: String(port),
      JWT_SECRET: 'bench',
      STRIPE_WEBHOOK_SECRET: 'whsec_bench',
      RATE_LIMIT_BOOKING_PER_MINUTE: '1000000',
    });
    const orm = await openDatabase(databaseUrl, 50);
    stops.push(() => orm.close());
    await migrateToLatest(orm);
    const pool = new pg.Pool({ connectionString: databaseUrl, max: 40 });
    stops.push(() => pool.end());

    const nativeConnection = await NativeConnection.connect({ address: temporal.address });
    stops.push(() => nativeConnection.close());
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
      activities: baselineActivities,
    });
    const workersRunning = Promise.all([worker.run(), baselineWorker.run()]);
    stops.push(async () => {
      worker.shutdown();
      baselineWorker.shutdown();
      await workersRunning;
    });
    const client = new Client({ connection: await Connection.connect({ address: temporal.address }) });
    stops.push(() => client.connection.close());
    const app = await buildApp({ settings, orm, temporal: client });
    await app.listen({ host: '127.0.0.1', port });
    stops.push(() => app.close());
    // One baseline workflow's Update-with-Start: a new workflow for each id.
    const pingWithStart = async (workflowType: 'emptyUpdate' | 'localActivityUpdate', workflowId: string) => {
      const startWorkflowOperation = new WithStartWorkflowOperation<typeof emptyUpdate | typeof localActivityUpdate>(workflowType, {
        workflowId,
        taskQueue: 'bench-baseline',
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
      await client.workflow.executeUpdateWithStart(pingUpdate, { startWorkflowOperation });
    };
    const base = `http://127.0.0.1:${port}`;
    const commands = new WorkflowCommands(client, settings, { info: () => {}, warn: () => {} });

    const { rows: trainers } = await pool.query<{ id: number }>(
      `insert into users (email, password_hash, role, first_name, last_name)
       values ('trainer@bench.test', 'not-a-hash', 'trainer', 'Bench', 'Trainer') returning id`,
    );
    const trainerId = trainers[0]!.id;
    let sessionsMade = 0;

    return {
      postgres,
      databaseUrl,
      orm,
      settings,
      temporalAddress: temporal.address,
      pool,
      stop,
      async seedClients(n, credits) {
        const first = seeded;
        seeded += n;
        const { rows } = await pool.query<{ id: number }>(
          `with made as (
             insert into users (email, password_hash, role, first_name, last_name, available_sessions)
             select 'c' || g || '@bench.test', 'not-a-hash', 'client', 'Client', g::text, $3
               from generate_series($1::int, $2::int) g
             returning id),
           lots as (
             insert into credit_lots (client_id, source, quantity, remaining)
             select id, 'allocation', $3, $3 from made returning id, client_id)
           insert into ledger_entries (client_id, lot_id, kind, delta, held_delta, balance_after, held_after, actor, reason, idempotency_key)
           select client_id, id, 'grant', $3, 0, $3, 0, 'system', 'bench', 'bench:' || client_id from lots
           returning client_id as id`,
          [first, first + n - 1, credits],
        );
        // A new account's token version is 0.
        return rows
          .map((row) => row.id)
          .sort((a, b) => a - b)
          .map((id) => ({ id, token: signToken(app, { id, role: 'client', tokenVersion: 0 }) }));
      },
      async seedSessions(n, capacity) {
        const firstStart = Date.now() + 2 * 86_400_000;
        const offset = sessionsMade;
        sessionsMade += n;
        // Back to back, 15 minutes each: a client booked into several never overlaps, and
        // five rounds of the booking benchmark stay inside the 90-day booking horizon.
        const { rows } = await pool.query<{ id: number }>(
          `insert into training_sessions (trainer_id, starts_at, duration_minutes, capacity)
           select $1, $2::timestamptz + make_interval(mins => 15 * g), 15, $4 from generate_series($3::int, $3::int + $5::int - 1) g
           returning id`,
          [trainerId, new Date(firstStart), offset, capacity, n],
        );
        return rows.map((row) => row.id);
      },
      async book(who, sessionId) {
        const response = await fetch(`${base}/api/sessions/book/${who.id}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${who.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ sessionId }),
        });
        return { status: response.status, body: (await response.json()) as BookingAnswer['body'] };
      },
      async bookWithoutHttp(who, sessionId) {
        await commands.book({ sessionId, clientId: who.id, actor: { id: String(who.id), role: 'client' }, complimentary: false });
      },
      emptyUpdateWithStart: (i) => pingWithStart('emptyUpdate', `bench-empty-${process.pid}-${options.label}-${i}`),
      localActivityUpdateWithStart: (i) => pingWithStart('localActivityUpdate', `bench-local-${process.pid}-${options.label}-${i}`),
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
