/**
 * `npm run test:topology`: docker-compose.yml's topology without Docker, to prove the
 * production pieces work together as deployed. A Temporal server built from source at
 * the compose file's release (`go install go.temporal.io/server/cmd/server`) on
 * PostgreSQL, its schema set up with Temporal's SQL tool, the one-shot steps
 * (`npm run migrate` as the schema owner, `npm run temporal:setup`), then 2 workers and
 * 2 API instances as real processes, the app logged in as its restricted role. It runs
 * the purchase and booking flows and an admin refund across the instances, prints its
 * figures and exits non-zero on the first failure. Minutes to build the server the
 * first time (cached in .cache/ after), about a minute to run.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { Connection } from '@temporalio/client';
import { startEmbeddedPostgres } from '../../launcher/embedded-postgres.js';
import { freePort } from '../../launcher/free-port.js';
import { findMailpit, startMailpit } from '../../launcher/mailpit.js';
import { bookingWorkflowId, purchaseWorkflowId } from '../../workflows/definitions.js';
import { readComposeFile, root } from '../deploy/compose-file.js';
import { composeDefault, startTemporalServer, TemporalServerFailure } from './temporal-server.js';

/**
 * Where the app's processes run from: this checkout, or (TOPOLOGY_APP_DIR) another one
 * installed as the image is, with `npm ci --omit=dev`, to prove they need nothing else.
 */
const appDir = path.resolve(process.env.TOPOLOGY_APP_DIR || root);
const began = Date.now();
const say = (line: string) => console.log(`[${((Date.now() - began) / 1000).toFixed(1).padStart(6)}s] ${line}`);

class TopologyFailure extends Error {}
function check(condition: unknown, message: string): asserts condition {
  if (!condition) throw new TopologyFailure(message);
}

const compose = readComposeFile();

const children: Array<{ name: string; child: ChildProcess }> = [];
let workDir = '';

function startProcess(
  name: string,
  args: string[],
  env: Record<string, string>,
  ready: (output: string) => boolean,
): Promise<ChildProcess> {
  const [command, ...rest] = args;
  const child = spawn(command!, rest, { cwd: appDir, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push({ name, child });
  const logFile = createWriteStream(path.join(workDir, `${name}.log`));
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      logFile.write(chunk);
      output = (output + chunk.toString()).slice(-20_000);
      if (ready(output)) resolve(child);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code, signal) =>
      reject(new TopologyFailure(`${name} exited (${signal ?? code}) before it was ready:\n${output.slice(-3_000)}`)),
    );
  });
}

/** A one-shot step: runs to completion, must exit 0. */
function runOnce(name: string, args: string[], env: Record<string, string>): string {
  const [command, ...rest] = args;
  const result = spawnSync(command!, rest, { cwd: appDir, env, encoding: 'utf8', timeout: 300_000 });
  const output = `${result.stdout}${result.stderr}`;
  check(result.status === 0, `${name} failed (exit ${result.status}):\n${output.slice(-3_000)}`);
  return output;
}

async function http<T = Record<string, unknown>>(
  base: string,
  method: string,
  url: string,
  options: { token?: string; body?: unknown; form?: Record<string, string> } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body: string | undefined;
  if (options.form) {
    headers['content-type'] = 'application/x-www-form-urlencoded';
    body = new URLSearchParams(options.form).toString();
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.body);
  }
  const response = await fetch(`${base}${url}`, { method, headers, body, redirect: 'manual', signal: AbortSignal.timeout(30_000) });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // HTML pages and redirects have no JSON body.
  }
  return { status: response.status, body: parsed as T, headers: response.headers };
}

async function waitUntil<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await probe();
    if (done(last)) return last;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new TopologyFailure(`timed out waiting for ${what} (last: ${JSON.stringify(last)})`);
}

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
};

async function main(): Promise<void> {
  workDir = await mkdtemp(path.join(os.tmpdir(), 'studio-topology-'));
  // As root, PostgreSQL runs as the `postgres` user, which must reach its cluster.
  await chmod(workDir, 0o755);
  say(`work directory ${workDir} (process logs kept there on failure); the app runs from ${appDir}`);

  // PostgreSQL: its superuser owns the schemas and runs every migration, as in compose.
  const postgres = await startEmbeddedPostgres({ clusterDir: path.join(workDir, 'postgres'), ephemeral: true });
  const cleanups: Array<() => Promise<void>> = [() => postgres.stop()];
  try {
    const pgUrl = new URL(postgres.adminUrl);
    const database = composeDefault(compose.services.postgres!.environment!.POSTGRES_DB);
    await postgres.createDatabase(database);
    say(`PostgreSQL ${pgUrl.host}, owner "${decodeURIComponent(pgUrl.username)}", database "${database}"`);

    // temporal-setup and temporal: Temporal's schemas, then the server, as compose runs them.
    const temporal = await startTemporalServer({ postgres, workDir, log: say });
    cleanups.push(() => temporal.stop());
    const temporalAddress = temporal.address;
    let started: number;

    // The app's settings, as compose gives them; each process gets its own scratch DATA_DIR.
    const appRole = { user: composeDefault('${APP_DB_USER:-studio_app}'), password: randomBytes(18).toString('base64url') };
    const appUrl = new URL(postgres.urlFor(database));
    appUrl.username = appRole.user;
    appUrl.password = appRole.password;
    const apiPorts = [await freePort(), await freePort()];
    const apis = apiPorts.map((port) => `http://127.0.0.1:${port}`);
    const admin = { email: 'admin@topology.test', password: randomBytes(12).toString('base64url') };
    // Compose's SMTP_URL names the studio's mail server; here a Mailpit takes its place.
    const mailpitBinary = await findMailpit({ binaryPath: process.env.MAILPIT_PATH, log: say });
    check(mailpitBinary !== undefined, 'mailpit is not on PATH and Go is not installed to build it (set MAILPIT_PATH)');
    const mailpit = await startMailpit(mailpitBinary!.path);
    cleanups.push(() => mailpit.stop());
    const shared = {
      PATH: process.env.PATH!,
      SMTP_URL: mailpit.smtpUrl,
      HOME: process.env.HOME ?? workDir,
      NODE_ENV: 'production',
      DATABASE_URL: appUrl.toString(),
      TEMPORAL_ADDRESS: temporalAddress,
      TEMPORAL_NAMESPACE: 'default',
      STRIPE_WEBHOOK_SECRET: `whsec_${randomBytes(24).toString('base64url')}`,
      PUBLIC_URL: apis[0]!,
      // The workers post the simulator's events to the *other* API instance, as compose sends them to any replica.
      STRIPE_SIMULATOR_WEBHOOK_URL: `${apis[1]}/api/webhooks/stripe`,
      STRIPE_SIMULATOR_SETTLE_MS: '300',
      // No Stripe keys here: production refuses to start without them unless the simulator is asked for.
      STRIPE_SIMULATOR: 'true',
    };
    const jwtSecret = randomBytes(32).toString('base64url');
    const tsx = (entry: string) => [process.execPath, '--import', 'tsx', entry];
    const dataDir = (name: string) => ({ DATA_DIR: path.join(workDir, name) });

    // One-shot steps: migrate (as the owner; creates the app's role) and temporal:setup.
    started = Date.now();
    const migrated = runOnce('npm run migrate', tsx('model/migrate.ts'), {
      ...shared,
      ...dataDir('migrate'),
      MIGRATION_DATABASE_URL: postgres.urlFor(database),
      ADMIN_EMAIL: admin.email,
      ADMIN_PASSWORD: admin.password,
    });
    check(migrated.includes(`app role "${appRole.user}": created`), `migrate did not create the app role:\n${migrated}`);
    say(
      `migrate: ${Date.now() - started} ms — ${migrated
        .trim()
        .split('\n')
        .filter((line) => !line.includes('[migrator]'))
        .join('; ')}`,
    );
    started = Date.now();
    const setup = runOnce('npm run temporal:setup', tsx('worker/temporal-setup.ts'), { ...shared, ...dataDir('setup') });
    say(`temporal:setup: ${Date.now() - started} ms — ${setup.trim().split('\n').join('; ')}`);

    started = Date.now();
    await Promise.all([
      ...[1, 2].map((n) =>
        startProcess(`worker-${n}`, tsx('worker/main.ts'), { ...shared, ...dataDir(`worker-${n}`) }, (output) =>
          output.includes('worker polling'),
        ),
      ),
      ...apiPorts.map((port, index) =>
        startProcess(
          `api-${index + 1}`,
          tsx('api/main.ts'),
          {
            ...shared,
            ...dataDir(`api-${index + 1}`),
            PORT: String(port),
            HOST: '127.0.0.1',
            JWT_SECRET: jwtSecret,
          },
          (output) => output.includes('Server listening'),
        ),
      ),
    ]);
    for (const base of apis) {
      const ready = await http(base, 'GET', '/readyz');
      check(ready.status === 200, `${base}/readyz answered ${ready.status}: ${JSON.stringify(ready.body)}`);
    }
    say(`2 workers and 2 API instances ready in ${Date.now() - started} ms (${apis.join(', ')})`);

    const [A, B] = apis as [string, string];
    const figures: Record<string, string> = {};

    // The app's own connection cannot switch off the ledger's protection.
    const asApp = new pg.Client({ connectionString: appUrl.toString() });
    await asApp.connect();
    const refused = await asApp.query('alter table ledger_entries disable trigger all').then(
      () => 'allowed',
      (error: { code?: string }) => error.code,
    );
    await asApp.end();
    check(refused === '42501', `the app role could disable the ledger trigger (${refused})`);
    say('app role: "alter table ledger_entries disable trigger all" refused (42501, not the owner)');

    // Purchase: checkout on B, pay on the simulator page on A, credited through the webhook on B.
    const login = await http(A, 'POST', '/api/auth/login', { body: admin });
    check(login.status === 200, `admin login (password set by migrate) answered ${login.status}`);
    const adminToken = login.body.token as string;
    const registered = await http(B, 'POST', '/api/auth/register', {
      body: {
        email: `client-${randomBytes(3).toString('hex')}@topology.test`,
        password: 'client-password-1',
        firstName: 'Topo',
        lastName: 'Client',
      },
    });
    check(registered.status === 201, `register answered ${registered.status}: ${JSON.stringify(registered.body)}`);
    const client = { id: (registered.body.user as { id: number }).id, token: registered.body.token as string };
    const createdPackage = await http(A, 'POST', '/api/admin/packages', {
      token: adminToken,
      body: { name: 'Ten sessions', sessions: 10, priceCents: 70_000, validityDays: 180 },
    });
    check(createdPackage.status === 201, `create package answered ${createdPackage.status}: ${JSON.stringify(createdPackage.body)}`);

    const available = async (base: string) =>
      (await http<{ data?: { available: number } }>(base, 'GET', '/api/me/summary', { token: client.token })).body.data?.available ?? -1;
    const checkout = await http(B, 'POST', '/api/checkout', { token: client.token, body: { packageId: createdPackage.body.id } });
    check(checkout.status === 201, `checkout answered ${checkout.status}: ${JSON.stringify(checkout.body)}`);
    const purchaseId = checkout.body.purchaseId as number;
    const payUrl = new URL(checkout.body.url as string);
    started = Date.now();
    const paid = await http(A, 'POST', `${payUrl.pathname}/pay`, { form: { token: payUrl.searchParams.get('token')!, method: 'card' } });
    check(paid.status === 303, `the simulator's pay answered ${paid.status}`);
    await waitUntil(
      'the purchase to credit 10 sessions',
      () => available(A),
      (credits) => credits === 10,
    );
    figures['purchase: pay → 10 credits visible'] = `${Date.now() - started} ms`;
    say(`purchase #${purchaseId}: paid on ${A}, 10 credits visible after ${figures['purchase: pay → 10 credits visible']}`);

    // Booking: sessions created on A, booked alternately on B and A, one cancelled in time.
    // No API creates trainers (studios invite them); the owner adds one, as a studio's DBA would.
    const ownerClient = new pg.Client({ connectionString: postgres.urlFor(database) });
    await ownerClient.connect();
    const {
      rows: [trainerRow],
    } = await ownerClient.query(`insert into users (email, password_hash, role, first_name, last_name)
      values ('trainer@topology.test', 'no-login', 'trainer', 'Topo', 'Trainer') returning id`);
    await ownerClient.end();
    const trainer = trainerRow.id as number;
    const sessionIds: number[] = [];
    for (let day = 2; day < 9; day += 1) {
      const startsAt = new Date(Date.now() + day * 86_400_000);
      startsAt.setUTCHours(10, 0, 0, 0);
      const created = await http(A, 'POST', '/api/sessions', {
        token: adminToken,
        body: { trainerId: trainer, startsAt: startsAt.toISOString(), durationMinutes: 60, capacity: 2 },
      });
      check(created.status === 201, `create session answered ${created.status}: ${JSON.stringify(created.body)}`);
      sessionIds.push(created.body.id as number);
    }
    const bookingMs: number[] = [];
    for (const [index, sessionId] of sessionIds.entries()) {
      const base = index % 2 === 0 ? B : A;
      const before = Date.now();
      const booked = await http(base, 'POST', `/api/sessions/book/${client.id}`, { token: client.token, body: { sessionId } });
      bookingMs.push(Date.now() - before);
      check(
        booked.status >= 200 && booked.status < 300,
        `booking session ${sessionId} on ${base} answered ${booked.status}: ${JSON.stringify(booked.body)}`,
      );
    }
    check(
      (await available(B)) === 10 - sessionIds.length,
      `after ${sessionIds.length} bookings the client has ${await available(B)} credits`,
    );
    figures['booking latency (7, across both APIs)'] = `p50 ${percentile(bookingMs, 50)} ms, max ${Math.max(...bookingMs)} ms`;
    say(`${sessionIds.length} bookings: ${figures['booking latency (7, across both APIs)']}`);
    const cancelled = await http(A, 'POST', `/api/sessions/${sessionIds[0]}/cancel`, { token: adminToken, body: { userId: client.id } });
    check(cancelled.status === 200, `cancel answered ${cancelled.status}: ${JSON.stringify(cancelled.body)}`);
    check((await available(B)) === 10 - sessionIds.length + 1, "the cancelled booking's credit came back");
    say(`booking on session ${sessionIds[0]} cancelled by the admin on A: credit released`);

    // Admin refund on B: the worker's simulator posts charge.refunded to the webhook on B.
    const before = await available(A);
    started = Date.now();
    const refund = await http(B, 'POST', `/api/admin/purchases/${purchaseId}/refund`, {
      token: adminToken,
      body: { sessions: 2, reason: 'topology check' },
    });
    check(refund.status === 200, `refund answered ${refund.status}: ${JSON.stringify(refund.body)}`);
    await waitUntil(
      'the refund to take back 2 credits',
      () => available(A),
      (credits) => credits === before - 2,
    );
    const purchase = await http(A, 'GET', `/api/admin/purchases/${purchaseId}`, { token: adminToken });
    figures['admin refund → credits taken back'] = `${Date.now() - started} ms`;
    say(
      `refund of 2 sessions on B: credits ${before} → ${before - 2} after ${figures['admin refund → credits taken back']} (purchase status ${purchase.body?.status})`,
    );

    // The books balance, and both workers did the work.
    const health = await http<{ data?: { clientsWithBalanceDrift: number } }>(B, 'GET', '/api/sessions/allocation-health', {
      token: adminToken,
    });
    check(health.body?.data?.clientsWithBalanceDrift === 0, `ledger drift: ${JSON.stringify(health.body)}`);
    const temporalClient = await Connection.connect({ address: temporalAddress });
    const identities = new Map<string, number>();
    for (const workflowId of [purchaseWorkflowId(purchaseId), ...sessionIds.map((id) => bookingWorkflowId(id, client.id))]) {
      const history = await temporalClient.workflowService.getWorkflowExecutionHistory({ namespace: 'default', execution: { workflowId } });
      for (const event of history.history?.events ?? []) {
        const identity = event.workflowTaskCompletedEventAttributes?.identity;
        if (identity) identities.set(identity, (identities.get(identity) ?? 0) + 1);
      }
    }
    await temporalClient.close();
    figures['workflow tasks per worker'] = [...identities.values()].join(' / ');
    check(identities.size === 2, `expected both workers to complete workflow tasks, saw ${[...identities.keys()].join(', ')}`);
    say(`workflow tasks completed per worker: ${figures['workflow tasks per worker']}; ledger drift 0`);

    // Graceful stop: every app process exits 0 on SIGTERM.
    started = Date.now();
    const exits = await Promise.all(
      children.map(
        ({ name, child }) =>
          new Promise<string>((resolve) => {
            child.once('exit', (code, signal) => resolve(`${name}: ${signal ?? code}`));
            child.kill('SIGTERM');
          }),
      ),
    );
    figures['SIGTERM → all app processes gone'] = `${Date.now() - started} ms`;
    check(
      exits.every((exit) => exit.endsWith(': 0')),
      `not every process stopped cleanly: ${exits.join(', ')}`,
    );
    say(`SIGTERM: ${exits.join(', ')} in ${figures['SIGTERM → all app processes gone']}`);

    console.log(`\ntopology passed in ${((Date.now() - began) / 1000).toFixed(1)} s`);
    for (const [name, value] of Object.entries(figures)) console.log(`  ${name.padEnd(40)} ${value}`);
  } finally {
    for (const { child } of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error) => say(`cleanup: ${String(error)}`));
  }
}

try {
  await main();
  await rm(workDir, { recursive: true, force: true });
  process.exit(0);
} catch (error) {
  console.error(
    `\ntopology FAILED: ${error instanceof TopologyFailure || error instanceof TemporalServerFailure ? error.message : ((error as Error).stack ?? String(error))}`,
  );
  console.error(`process logs: ${workDir}`);
  process.exit(1);
}
