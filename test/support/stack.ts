import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Client } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, type Worker } from '@temporalio/worker';
import { inject } from 'vitest';
import { buildApp, type BuildOptions } from '../../api/app.js';
import { connectTemporalClient } from '../../api/temporal-client.js';
import { loadSettings, type Settings } from '../../config/settings.js';
import type { Orm } from '../../model/orm.js';
import { startOutboxWakeup } from '../../worker/outbox-wakeup.js';
import { createWorker } from '../../worker/worker.js';
import { openTestDatabase } from './database.js';

try {
  Runtime.install({ logger: new DefaultLogger(process.env.TEST_LOG ? 'INFO' : 'ERROR') });
} catch {
  // Already installed by an earlier stack in this test process.
}

/**
 * The real system for one test file: its own database (cloned from the migrated
 * template), the shared Temporal dev server with a private task queue, a real worker
 * running the bundled workflows, and the Fastify app (driven with `inject`).
 */
export interface TestStack {
  settings: Settings;
  orm: Orm;
  app: FastifyInstance;
  temporal: Client;
  startWorker(): Promise<void>;
  stopWorker(): Promise<void>;
  close(): Promise<void>;
}

export async function startStack(
  env: Record<string, string> = {},
  options: { worker?: boolean; onRoute?: BuildOptions['onRoute']; temporalAddress?: string; logger?: BuildOptions['logger'] } = {},
): Promise<TestStack> {
  const { url, orm } = await openTestDatabase();
  // A fault test that kills Temporal brings its own server, so the run's shared one stays up.
  const address = options.temporalAddress ?? inject('temporalAddress');
  const settings = loadSettings({
    DATA_DIR: path.join(os.tmpdir(), 'studio-sessions-test-data'),
    DATABASE_URL: url,
    TEMPORAL_ADDRESS: address,
    TEMPORAL_TASK_QUEUE: `test-${randomBytes(5).toString('hex')}`,
    JWT_SECRET: 'test-jwt-secret',
    STRIPE_WEBHOOK_SECRET: 'whsec_test_secret',
    // Outgoing Stripe calls hit stripe-mock when the run has it; a test passes '' to use the simulator instead.
    STRIPE_API_BASE_URL: inject('stripeApiBaseUrl'),
    // The outbox is delivered to the run's Mailpit; tests read what arrived through its HTTP API.
    SMTP_URL: inject('mailpitSmtpUrl'),
    RATE_LIMIT_BOOKING_PER_MINUTE: '1000',
    RATE_LIMIT_CHECKOUT_PER_MINUTE: '1000',
    // The run's one bundle, for the workers a test spawns as production processes too.
    WORKFLOW_BUNDLE: inject('workflowBundlePath'),
    ...env,
  });
  const temporal = await connectTemporalClient(settings.temporal, address);
  const connection = await NativeConnection.connect({ address });
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  let wakeup: { stop(): Promise<void> } | undefined;

  const startWorker = async () => {
    worker = await createWorker({
      connection,
      namespace: settings.temporal.namespace,
      taskQueue: settings.temporal.taskQueue,
      orm,
      settings,
      workflowBundlePath: settings.temporal.workflowBundlePath!,
    });
    running = worker.run();
    wakeup = await startOutboxWakeup({
      connection,
      namespace: settings.temporal.namespace,
      taskQueue: settings.temporal.taskQueue,
      databaseUrl: url,
    });
  };
  const stopWorker = async () => {
    await wakeup?.stop();
    wakeup = undefined;
    worker?.shutdown();
    await running;
    worker = undefined;
    running = undefined;
  };
  if (options.worker !== false) await startWorker();
  const app = await buildApp(
    { settings, orm, temporal },
    { logger: options.logger ?? Boolean(process.env.TEST_LOG), ...(options.onRoute ? { onRoute: options.onRoute } : {}) },
  );
  await app.ready();
  return {
    settings,
    orm,
    app,
    temporal,
    startWorker,
    stopWorker,
    async close() {
      await app.close();
      await stopWorker();
      await connection.close();
      await temporal.connection.close();
      await orm.close(true);
    },
  };
}
