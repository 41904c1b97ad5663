import { fileURLToPath } from 'node:url';
import { NativeConnection, Worker } from '@temporalio/worker';
import protos from '@temporalio/proto';
import { createActivities } from '../activities/index.js';
import type { Settings } from '../config/settings.js';
import { temporalConnectionOptions } from '../config/temporal-connection.js';
import type { Orm } from '../model/orm.js';
import { SEARCH_ATTRIBUTES } from '../workflows/definitions.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

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
    // Bookings wait on local activities inside update handlers; let many run side by side.
    maxConcurrentLocalActivityExecutions: 200,
    maxConcurrentWorkflowTaskExecutions: 100,
  });
}

/** Registers the search attributes the workflows set; an existing registration is fine. */
export async function ensureSearchAttributes(connection: NativeConnection, namespace: string): Promise<void> {
  const keyword = protos.temporal.api.enums.v1.IndexedValueType.INDEXED_VALUE_TYPE_KEYWORD;
  const existing = await connection.operatorService.listSearchAttributes({ namespace });
  const missing = Object.keys(SEARCH_ATTRIBUTES).filter((name) => !(name in (existing.customAttributes ?? {})));
  if (missing.length === 0) return;
  await connection.operatorService.addSearchAttributes({
    namespace,
    searchAttributes: Object.fromEntries(missing.map((name) => [name, keyword])),
  });
}
