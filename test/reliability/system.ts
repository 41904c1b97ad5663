import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import jwt from '@fastify/jwt';
import { signToken } from '../../api/auth/tokens.js';
import { loadSettings, type Settings } from '../../config/settings.js';
import { startEmbeddedPostgres, type RunningPostgres } from '../../launcher/embedded-postgres.js';
import { freePort } from '../../launcher/free-port.js';
import { provisionAppRole } from '../../model/database-roles.js';
import { migrateToLatest, openDatabase, type Orm } from '../../model/orm.js';
import { startPrivateTemporal, type PrivateTemporal } from '../support/private-temporal.js';
import { buildWorkflowBundle } from '../../worker/workflow-bundle.js';
import { crash, spawnApi, spawnWorker } from '../support/worker-process.js';

/**
 * The whole system as separate processes, so a crash is a real `kill -9`: an embedded
 * PostgreSQL cluster of its own (durable settings: a killed server must keep what it
 * acknowledged), a Temporal dev server of its own, `npm run worker` and `npm run api`
 * (node with tsx, one process each), talking over real ports. The harness reads the
 * database as its owner to check the books, and signs tokens with the API's own key.
 */
export interface ReliabilitySystem {
  readonly settings: Settings;
  /** The API's base URL. */
  readonly api: string;
  /** The schema owner's view of the database, for setting up and checking; the app never uses it. */
  readonly orm: Orm;
  token(user: { id: number; role: 'admin' | 'client' | 'trainer'; tokenVersion?: number }): string;
  killWorker(): Promise<void>;
  startWorker(): Promise<void>;
  killTemporal(): Promise<void>;
  startTemporal(): Promise<void>;
  killPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  close(): Promise<void>;
}

export interface SystemOptions {
  smtpUrl: string;
  /** How long a booking waits for its workflow before answering 503 (TEMPORAL_ANSWER_BUDGET_MS). */
  answerBudgetMs: number;
  log?: (line: string) => void;
  /** Where the API's and the worker's output is kept after the run; otherwise it is discarded with the run. */
  logsDir?: string;
}

const DATABASE = 'reliability';

/** Every process of the cluster (the postmaster and its backends), for a crash that leaves nothing running. */
async function clusterProcesses(postmaster: number): Promise<number[]> {
  const pids = [postmaster];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '');
    // Field 4 (after the parenthesised name) is the parent pid.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (parent === postmaster) pids.push(Number(entry));
  }
  return pids;
}

const gone = (pid: number) => {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
};

export async function startSystem(options: SystemOptions): Promise<ReliabilitySystem> {
  const log = options.log ?? (() => {});
  const root = await mkdtemp(path.join(os.tmpdir(), 'studio-reliability-'));
  // As root, PostgreSQL runs as the `postgres` user, which must be able to reach its cluster.
  await chmod(root, 0o755);
  const clusterDir = path.join(root, 'postgres');
  let postgres: RunningPostgres = await startEmbeddedPostgres({ clusterDir });
  const port = postgres.port;
  await postgres.createDatabase(DATABASE);
  const ownerUrl = postgres.urlFor(DATABASE);
  const appUrl = new URL(ownerUrl);
  appUrl.username = 'studio_app_reliability';
  appUrl.password = randomBytes(18).toString('base64url');
  const migrating = await openDatabase(ownerUrl, 2);
  await migrateToLatest(migrating);
  await migrating.close(true);
  await provisionAppRole(ownerUrl, appUrl.toString());
  log(`PostgreSQL on :${port} (${clusterDir})`);

  const temporal: PrivateTemporal = await startPrivateTemporal();
  log(`Temporal dev server on ${temporal.address}`);

  // Prebuilt, as the image does: a killed worker is back without bundling its workflows again.
  const workflowBundle = path.join(root, 'workflows.js');
  await writeFile(workflowBundle, await buildWorkflowBundle(log));

  const apiPort = await freePort();
  const settings = loadSettings({
    WORKFLOW_BUNDLE: workflowBundle,
    DATA_DIR: root,
    DATABASE_URL: appUrl.toString(),
    TEMPORAL_ADDRESS: temporal.address,
    TEMPORAL_TASK_QUEUE: 'reliability',
    JWT_SECRET: randomBytes(24).toString('base64url'),
    STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64url')}`,
    SMTP_URL: options.smtpUrl,
    PORT: String(apiPort),
  });
  // Rate limits protect a studio from one abusive caller; this harness is thousands of honest ones.
  const apiEnv = {
    RATE_LIMIT_BOOKING_PER_MINUTE: '1000000',
    RATE_LIMIT_CHECKOUT_PER_MINUTE: '1000000',
    TEMPORAL_ANSWER_BUDGET_MS: String(options.answerBudgetMs),
  };
  const orm = await openDatabase(ownerUrl, 20);

  // The API's and the worker's JSON lines outlive the run, so a failed check's 500 or slow
  // booking can be followed by request id and workflow id.
  const { logsDir } = options;
  if (logsDir) {
    await mkdir(logsDir, { recursive: true });
    log(`API and worker logs: ${logsDir}`);
  }
  const keepLines = (child: ChildProcess, name: string) => {
    if (!logsDir) return child;
    const file = createWriteStream(path.join(logsDir, `${name}.log`), { flags: 'a' });
    child.stdout!.pipe(file, { end: false });
    child.stderr!.pipe(file, { end: false });
    return child;
  };

  let worker: ChildProcess | undefined;
  let api: ChildProcess | undefined;
  const startWorker = async () => {
    const started = performance.now();
    worker = keepLines(await spawnWorker(settings), 'worker');
    log(`worker up in ${(performance.now() - started).toFixed(0)} ms`);
  };
  await Promise.all([startWorker(), spawnApi(settings, apiPort, apiEnv).then((child) => (api = keepLines(child, 'api')))]);
  log(`API on :${apiPort}`);

  const signer: FastifyInstance = Fastify();
  await signer.register(jwt, { secret: settings.jwtSecret });
  await signer.ready();

  return {
    settings,
    api: `http://127.0.0.1:${apiPort}`,
    orm,
    token: (user) => signToken(signer, { id: user.id, role: user.role, tokenVersion: user.tokenVersion ?? 0 }),
    async killWorker() {
      if (worker) await crash(worker);
      worker = undefined;
    },
    startWorker,
    killTemporal: () => temporal.kill(),
    async startTemporal() {
      const started = performance.now();
      await temporal.start();
      log(`Temporal back in ${(performance.now() - started).toFixed(0)} ms`);
    },
    async killPostgres() {
      const postmaster = Number((await readFile(path.join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
      const pids = await clusterProcesses(postmaster);
      for (const pid of pids) process.kill(pid, 'SIGKILL');
      for (const deadline = Date.now() + 10_000; pids.some((pid) => !gone(pid)) && Date.now() < deadline;) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async startPostgres() {
      const started = performance.now();
      // The same cluster and port: crash recovery replays its WAL, and every client's URL still holds.
      postgres = await startEmbeddedPostgres({ clusterDir, port });
      log(`PostgreSQL back in ${(performance.now() - started).toFixed(0)} ms`);
    },
    async close() {
      await signer.close();
      if (api) await crash(api);
      if (worker) await crash(worker);
      await orm.close(true);
      await temporal.close();
      await postgres.stop().catch(() => undefined);
      await rm(root, { recursive: true, force: true });
    },
  };
}
