import { condition, continueAsNew, patched, proxyActivities, proxyLocalActivities, setHandler, workflowInfo } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { outboxWrittenSignal, type NotificationDrainerInput } from './definitions.js';

// The pending list is one short read: a local activity, so a wake-up costs one workflow
// task before the sends instead of two and an activity task.
const outbox = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
/** Histories from before it replay as they ran: the pending list was an ordinary activity. */
const LOCAL_PENDING_LIST = 'local-pending-list';
const outboxTask = proxyActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});
// Retried until the SMTP server takes each message (or refuses it for good, which ends it as failed).
const sender = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  heartbeatTimeout: '5 seconds',
  retry: { initialInterval: '1 second', backoffCoefficient: 2, maximumInterval: '1 minute' },
});

const BATCH = 10;
/**
 * Histories from before it replay as they ran: one activity per message. Now one activity
 * delivers a wake-up's rows, so a busy outbox costs one activity task per wake-up, not per message.
 */
const ONE_SEND_PER_WAKEUP = 'one-send-per-wakeup';

/**
 * Drains the outbox of one task queue's database: delivers every pending row, then
 * sleeps until a write wakes it (`outboxWritten`, sent by the worker when PostgreSQL
 * reports an insert) or the sweep interval passes, which covers a wake-up lost while no
 * worker listened. One per task queue (`notificationDrainerWorkflowId`).
 */
export async function notificationDrainer(input: NotificationDrainerInput): Promise<void> {
  let woken = false;
  setHandler(outboxWrittenSignal, () => {
    woken = true;
  });
  while (!workflowInfo().continueAsNewSuggested) {
    woken = false;
    const ids = await (patched(LOCAL_PENDING_LIST) ? outbox : outboxTask).pendingNotifications({ limit: BATCH });
    if (ids.length > 0) {
      if (patched(ONE_SEND_PER_WAKEUP)) await sender.sendNotifications(ids);
      else await Promise.all(ids.map((id) => sender.sendNotification(id)));
    }
    if (ids.length < BATCH) await condition(() => woken, input.sweepIntervalMs);
  }
  await continueAsNew<typeof notificationDrainer>(input);
}
