import { fileURLToPath } from 'node:url';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import protos from '@temporalio/proto';
import { createActivities } from '../activities/index.js';
import { requestIdActivityInterceptor, requestIdClientInterceptor } from '../logs/request-ids.js';
import { WORKFLOW_TASK_SLOTS, type Settings } from '../config/settings.js';
import { temporalConnectionOptions } from '../config/temporal-connection.js';
import type { Orm } from '../model/orm.js';
import { lotExpiryBackfillWorkflowId, SEARCH_ATTRIBUTES } from '../workflows/definitions.js';
import type { lotExpiryBackfill } from '../workflows/index.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Bundled with the workflows (a prebuilt bundle must be built with them: `bundleWorkflowCode({ workflowInterceptorModules })`). */
export const workflowInterceptorModules = [fileURLToPath(new URL('../workflows/request-ids.ts', import.meta.url))];

/**
 * Shutdown, in the order a stop goes: in-flight activities get SHUTDOWN_GRACE_MS to finish
 * (the SDK's default of 0 cancels them at once), the worker is abandoned after
 * SHUTDOWN_FORCE_MS, and the process exits at PROCESS_EXIT_AFTER_MS; docker-compose.yml's
 * stop_grace_period for the worker must exceed that, or SIGKILL comes first.
 */
export const SHUTDOWN_GRACE_MS = 30_000;

/**
 * A worker's database connections. The outbox drainer sends 10 emails at a time, each
 * holding its row's transaction (and so a connection) across the SMTP call, so that one row
 * is one email however often a send is retried. With the ORM's default pool of 10 a backlog
 * of receipts took every connection, and the bookings' local activities queued behind it
 * (the reliability suite's booking race after its 1,000 payments: p99 10 s, 926 answers 503).
 */
export const WORKER_DATABASE_POOL = 30;
export const SHUTDOWN_FORCE_MS = 40_000;
export const PROCESS_EXIT_AFTER_MS = 50_000;

export interface WorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  orm: Orm;
  settings: Settings;
  /** A prebuilt bundle (tests build one for every worker); otherwise workflows are bundled at start. */
  workflowBundlePath?: string;
}

export function connectWorker(temporal: Settings['temporal'], address: string): Promise<NativeConnection> {
  return NativeConnection.connect(temporalConnectionOptions(temporal, address));
}

export function createWorker(options: WorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    activities: createActivities({ orm: options.orm, settings: options.settings }),
    ...(options.workflowBundlePath ? { workflowBundle: { codePath: options.workflowBundlePath } } : { workflowsPath }),
    // The request id travels from the API's call through the workflow into its activities, and on into the workflows they call.
    interceptors: {
      ...(options.workflowBundlePath ? {} : { workflowModules: workflowInterceptorModules }),
      activity: [requestIdActivityInterceptor],
      client: { workflow: [requestIdClientInterceptor] },
    },
    // Bookings wait on local activities inside update handlers; let many run side by side.
    maxConcurrentLocalActivityExecutions: 200,
    maxConcurrentWorkflowTaskExecutions: WORKFLOW_TASK_SLOTS,
    // The SDK's default sizes the cache by heap (2,310 workflows here): after 1,000
    // purchases the worker held 1.9 GB and its booking tasks queued behind it.
    maxCachedWorkflows: options.settings.temporal.cachedWorkflows,
    shutdownGraceTime: SHUTDOWN_GRACE_MS,
    shutdownForceTime: SHUTDOWN_FORCE_MS,
  });
}

async function missingSearchAttributes(connection: NativeConnection, namespace: string): Promise<string[]> {
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  return Object.keys(SEARCH_ATTRIBUTES).filter((name) => !(name in (existing.customAttributes ?? {})));
}

/**
 * Registers the search attributes the workflows set; an existing registration is fine.
 * One process does this (`npm run temporal:setup`, compose's temporal-init, `npm start`),
 * never every worker at start: replicas starting together would race on it.
 */
export async function ensureSearchAttributes(connection: NativeConnection, namespace: string): Promise<void> {
  const keyword = protos.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  const missing = await missingSearchAttributes(connection, namespace);
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((name) => [name, keyword])),
  });
}

/** A worker refuses to start rather than fail every workflow start that sets a missing attribute. */
export async function requireSearchAttributes(
  connection: NativeConnection,
  namespace: string,
  warn: (line: string) => void = console.warn,
): Promise<void> {
  let missing: string[];
  try {
    missing = await missingSearchAttributes(connection, namespace);
  } catch (error) {
    // A namespace-scoped API key may not list them (Temporal Cloud): start, and let a missing one fail loudly later.
    warn(`could not check the search attributes of "${namespace}": ${error instanceof Error ? error.message : String(error)}`);
    return;
  }
  if (missing.length > 0) {
    throw new Error(
      `namespace "${namespace}" lacks the Keyword search attributes ${missing.join(', ')}: run \`npm run temporal:setup\` once (on Temporal Cloud, create them in the namespace's settings or with tcld)`,
    );
  }
}

/**
 * Starts the pass that gives every lot with credits to expire its expiry workflow (lots
 * from before lots had one, the demo seed's). Every worker starts it, because every way of
 * running the system starts workers (`npm start`, compose, `npm run worker`) while the
 * one-shot setup steps differ between them; replicas starting together join one run (the
 * id is per task queue), and a later start costs one read and one refused start per live lot.
 */
export async function startLotExpiryBackfill(client: Client, taskQueue: string): Promise<void> {
  try {
    await client.workflow.start<typeof lotExpiryBackfill>('lotExpiryBackfill', {
      workflowId: lotExpiryBackfillWorkflowId(taskQueue),
      taskQueue,
      args: [{ afterLotId: 0 }],
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}
