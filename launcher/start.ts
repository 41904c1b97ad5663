import path from 'node:path';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { usesStripeSimulator } from '../payments/stripe.js';
import { buildApp } from '../api/app.js';
import { listen } from '../api/server.js';
import { connectTemporalClient } from '../api/temporal-client.js';
import { runProcess } from '../config/process.js';
import { loadSettings } from '../config/settings.js';
import { openDatabase } from '../model/orm.js';
import { demoLogins } from './seed.js';
import {
  connectWorker,
  createWorker,
  ensureSearchAttributes,
  PROCESS_EXIT_AFTER_MS,
  startLotExpiryBackfill,
  WORKER_DATABASE_POOL,
} from '../worker/worker.js';
import { ensureReconciliationSchedule } from '../worker/reconciliation-schedule.js';
import { ensureConsoleBuilt } from './console-build.js';
import { prepareDatabase } from './database.js';
import { portInUse } from './free-port.js';
import { findMailpit, startMailpit } from './mailpit.js';
import { startLocalTemporal } from './temporal.js';
import { startOutboxWakeup } from '../worker/outbox-wakeup.js';
import { workflowStackTraces } from '../worker/stack-trace-preload.js';

/**
 * `npm start`: everything on one machine — embedded PostgreSQL, a Temporal dev server,
 * migrations, demo data, the console build, the worker and the API — each step printed,
 * and Ctrl-C stopping all of it in reverse order.
 */
const TEMPORAL_PORT = 7233;
const TEMPORAL_UI_PORT = 8233;
const MAILPIT_SMTP_PORT = 1025;
const MAILPIT_UI_PORT = 8025;
const began = Date.now();
const say = (line: string) => console.log(`[${((Date.now() - began) / 1000).toFixed(1).padStart(5)}s] ${line}`);

// Our own shutdown decides the order (API, worker, then the services they use).
Runtime.install({ logger: new DefaultLogger('WARN'), shutdownSignals: [] });
await runProcess(
  'studio-sessions',
  async () => {
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

      const database = await prepareDatabase(settings, say);
      stops.push(database.stop);
      const databaseUrl = database.appUrl;
      // The API and the worker share this process and its pool.
      const orm = await openDatabase(databaseUrl, WORKER_DATABASE_POOL);
      stops.push(() => orm.close());

      let temporalAddress = settings.temporal.address;
      let temporalUi = settings.temporal.uiUrl;
      if (temporalAddress) {
        say(`Temporal: TEMPORAL_ADDRESS ${temporalAddress}`);
      } else {
        for (const port of [TEMPORAL_PORT, TEMPORAL_UI_PORT]) {
          if (await portInUse(port))
            throw new Error(`Port ${port} (Temporal dev server) is already in use. Stop that process, or set TEMPORAL_ADDRESS to use it.`);
        }
        const temporal = await startLocalTemporal({
          cliPath: settings.temporal.cliPath,
          dbFile: path.join(settings.dataDir, 'temporal.db'),
          port: TEMPORAL_PORT,
          uiPort: TEMPORAL_UI_PORT,
          namespace: settings.temporal.namespace,
          log: say,
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
        say(
          `Stripe: API ${settings.stripe.apiBaseUrl ?? 'api.stripe.com'}${process.env.STRIPE_WEBHOOK_SECRET ? '' : " (warning: STRIPE_WEBHOOK_SECRET is not set, so Stripe's webhooks will not verify)"}`,
        );
      }

      let smtpUrl = settings.mail.smtpUrl;
      let mailUi = 'none (SMTP_URL)';
      if (smtpUrl) {
        say(`mail: SMTP_URL ${new URL(smtpUrl).host}`);
      } else {
        for (const port of [MAILPIT_SMTP_PORT, MAILPIT_UI_PORT]) {
          if (await portInUse(port))
            throw new Error(`Port ${port} (Mailpit) is already in use. Stop that process, or set SMTP_URL to a mail server.`);
        }
        const binary = await findMailpit({ binaryPath: process.env.MAILPIT_PATH, log: say });
        if (!binary) {
          throw new Error(
            'mailpit is not on PATH and Go is not installed to build it: install Go 1.24+, set MAILPIT_PATH, or set SMTP_URL.',
          );
        }
        const mailpit = await startMailpit(binary.path, {
          databaseFile: path.join(settings.dataDir, 'mailpit.db'),
          smtpPort: MAILPIT_SMTP_PORT,
          httpPort: MAILPIT_UI_PORT,
        });
        stops.push(() => mailpit.stop());
        smtpUrl = mailpit.smtpUrl;
        mailUi = `http://localhost:${MAILPIT_UI_PORT}`;
        say(`mail: Mailpit ${mailpit.smtpUrl}, ${binary.path} (${binary.source}); every email lands in its inbox, none leaves the machine`);
      }
      const workerSettings = { ...settings, mail: { ...settings.mail, smtpUrl } };

      const workerConnection = await connectWorker(settings.temporal, temporalAddress);
      stops.push(() => workerConnection.close());
      await ensureSearchAttributes(workerConnection, settings.temporal.namespace);
      const worker = await createWorker({
        connection: workerConnection,
        namespace: settings.temporal.namespace,
        taskQueue: settings.temporal.taskQueue,
        orm,
        settings: workerSettings,
      });
      const workerRun = worker.run();
      stops.push(async () => {
        worker.shutdown();
        await workerRun;
      });
      const wakeup = await startOutboxWakeup({
        connection: workerConnection,
        namespace: settings.temporal.namespace,
        taskQueue: settings.temporal.taskQueue,
        databaseUrl,
      });
      stops.push(() => wakeup.stop());
      say(`worker polling "${settings.temporal.taskQueue}" (workflow stack traces ${workflowStackTraces()}: WORKFLOW_STACK_TRACES)`);

      const temporalClient = await connectTemporalClient(settings.temporal, temporalAddress);
      stops.push(() => temporalClient.connection.close());
      await ensureReconciliationSchedule(temporalClient, settings);
      await startLotExpiryBackfill(temporalClient, settings.temporal.taskQueue);
      const app = await buildApp({ settings, orm, temporal: temporalClient });
      await listen(app, settings.host, settings.port);
      stops.push(() => app.close());

      const base = `http://localhost:${settings.port}`;
      const logins = demoLogins(settings.admin);
      console.log(
        [
          '',
          `ready in ${((Date.now() - began) / 1000).toFixed(1)}s`,
          `  API          ${base}/api`,
          `  Console      ${base}/admin/`,
          `  API docs     ${base}/docs`,
          `  Temporal UI  ${temporalUi}`,
          `  Mailpit      ${mailUi}`,
          '  Logins',
          `    admin    ${logins.admin.email} / ${logins.admin.password}`,
          `    trainer  ${logins.trainer.email} / ${logins.trainer.password}`,
          `    client   ${logins.client.email} / ${logins.client.password}`,
          'Ctrl-C stops everything.',
          '',
        ].join('\n'),
      );
      return stopAll;
    } catch (error) {
      await stopAll();
      throw error;
    }
  },
  { forceExitAfterMs: PROCESS_EXIT_AFTER_MS },
);
