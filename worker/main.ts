import { existsSync } from 'node:fs';
import { Runtime } from '@temporalio/worker';
import { loadSettings } from '../config/settings.js';
import { runProcess } from '../config/process.js';
import { jsonLines, temporalJsonLogger } from '../logs/json-lines.js';
import { openDatabase } from '../model/orm.js';
import { startOutboxWakeup } from './outbox-wakeup.js';
import { workflowStackTraces } from './stack-trace-preload.js';
import { ensureReconciliationSchedule, withTemporalClient } from './reconciliation-schedule.js';
import {
  connectWorker,
  createWorker,
  PROCESS_EXIT_AFTER_MS,
  requireSearchAttributes,
  startLotExpiryBackfill,
  WORKER_DATABASE_POOL,
} from './worker.js';

/** `npm run worker`: one stateless worker against external PostgreSQL and Temporal; run as many as needed. */
await runProcess(
  'worker',
  async () => {
    const settings = loadSettings();
    const log = jsonLines(settings.logLevel);
    Runtime.install({
      logger: temporalJsonLogger(log),
      // The SDK's native side too, so that every line on stdout is JSON.
      telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
      // Our own shutdown decides the order (API, worker, then the services they use).
      shutdownSignals: [],
    });
    if (!settings.databaseUrl || !settings.temporal.address) {
      throw new Error('npm run worker needs DATABASE_URL and TEMPORAL_ADDRESS (npm start runs everything on this machine instead).');
    }
    // The simulator signs refund events with it, and every API replica must verify them.
    if (!process.env.STRIPE_WEBHOOK_SECRET)
      throw new Error('npm run worker needs STRIPE_WEBHOOK_SECRET, the same on every worker and API instance.');
    // Without a mail server the outbox would fill silently; say so at start instead.
    if (!settings.mail.smtpUrl)
      throw new Error('npm run worker needs SMTP_URL, the SMTP server that delivers the outbox (smtp://user:password@host:587).');
    const { workflowBundlePath } = settings.temporal;
    if (workflowBundlePath && !existsSync(workflowBundlePath))
      throw new Error(`WORKFLOW_BUNDLE names ${workflowBundlePath}, which does not exist: run npm run build:workflows first.`);
    const orm = await openDatabase(settings.databaseUrl, WORKER_DATABASE_POOL);
    const connection = await connectWorker(settings.temporal, settings.temporal.address);
    await requireSearchAttributes(connection, settings.temporal.namespace, (line) => log.warn(line));
    const worker = await createWorker({
      connection,
      namespace: settings.temporal.namespace,
      taskQueue: settings.temporal.taskQueue,
      orm,
      settings,
      ...(workflowBundlePath ? { workflowBundlePath } : {}),
    });
    const running = worker.run();
    await withTemporalClient(settings, settings.temporal.address, async (client) => {
      await ensureReconciliationSchedule(client, settings);
      await startLotExpiryBackfill(client, settings.temporal.taskQueue);
    });
    const wakeup = await startOutboxWakeup({
      connection,
      namespace: settings.temporal.namespace,
      taskQueue: settings.temporal.taskQueue,
      databaseUrl: settings.databaseUrl,
      log: (line) => log.warn(line),
    });
    log.info(
      {
        taskQueue: settings.temporal.taskQueue,
        address: settings.temporal.address,
        workflows: workflowBundlePath ?? 'bundled at start',
        workflowStackTraces: workflowStackTraces(),
        startedInMs: Math.round(performance.now()),
      },
      'worker polling its task queue',
    );
    return async () => {
      await wakeup.stop();
      worker.shutdown();
      await running;
      await connection.close();
      await orm.close();
    };
  },
  { forceExitAfterMs: PROCESS_EXIT_AFTER_MS },
);
