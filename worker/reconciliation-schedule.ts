import { Client, Connection, ScheduleAlreadyRunning, ScheduleOverlapPolicy } from '@temporalio/client';
import type { Settings } from '../config/settings.js';
import { temporalConnectionOptions } from '../config/temporal-connection.js';
import { reconciliationScheduleId } from '../workflows/definitions.js';

/**
 * The Schedule that runs reconcileBooks every RECONCILE_EVERY_MINUTES on this task queue.
 * Every worker calls this at start: the first creates it, the rest find it and bring its
 * interval in line with their setting, so replicas starting together never race into two.
 */
export async function ensureReconciliationSchedule(client: Client, settings: Settings): Promise<void> {
  const { taskQueue } = settings.temporal;
  const scheduleId = reconciliationScheduleId(taskQueue);
  const every = Math.round(settings.reconcileEveryMinutes * 60_000);
  try {
    await client.schedule.create({
      scheduleId,
      spec: { intervals: [{ every }] },
      action: { type: 'startWorkflow', workflowType: 'reconcileBooks', taskQueue, workflowId: scheduleId, args: [] },
      // A check still running when the next is due makes that one pointless; a worker outage runs one check, not a backlog.
      policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: '1 hour' },
      state: { note: 'Checks every balance and purchase against the ledger and Stripe (docs/workflows.md).' },
    });
  } catch (error) {
    if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    const handle = client.schedule.getHandle(scheduleId);
    const current = (await handle.describe()).spec.intervals?.[0]?.every;
    if (current !== every) await handle.update((schedule) => ({ ...schedule, spec: { intervals: [{ every }] } }));
  }
}

/** A short-lived client for the worker's one schedule call; the worker itself speaks through its native connection. */
export async function withTemporalClient<T>(settings: Settings, address: string, work: (client: Client) => Promise<T>): Promise<T> {
  const connection = await Connection.connect(temporalConnectionOptions(settings.temporal, address));
  try {
    return await work(new Client({ connection, namespace: settings.temporal.namespace }));
  } finally {
    await connection.close();
  }
}
