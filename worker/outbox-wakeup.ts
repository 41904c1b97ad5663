import { Client } from '@temporalio/client';
import type { NativeConnection } from '@temporalio/worker';
import pg from 'pg';
import { SENDER_CHANNEL } from '../model/notifications.js';
import { notificationDrainerWorkflowId, outboxWrittenSignal, type NotificationDrainerInput } from '../workflows/definitions.js';

/** The drainer sweeps this often without a wake-up: what a lost NOTIFY costs at most. */
export const OUTBOX_SWEEP_INTERVAL_MS = 60_000;
const RECONNECT_AFTER_MS = 5_000;

export interface OutboxWakeupOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  databaseUrl: string;
  log?: (line: string) => void;
}

/**
 * Keeps the outbox's drainer running and wakes it as soon as rows are written: each
 * activity that may write outbox rows NOTIFYs `notifications_written` once its
 * transaction has committed (model/notifications.ts wakeSender), and this listener
 * signals-with-start the drainer workflow. The
 * writes themselves (booking, purchase, expiry) pay no extra Temporal hop; a worker that
 * misses a NOTIFY leaves the rows to the drainer's next sweep.
 */
export async function startOutboxWakeup(options: OutboxWakeupOptions): Promise<{ stop(): Promise<void> }> {
  const log = options.log ?? ((line: string) => console.warn(line));
  const client = new Client({ connection: options.connection, namespace: options.namespace });
  const input: NotificationDrainerInput = { sweepIntervalMs: OUTBOX_SWEEP_INTERVAL_MS };
  let stopped = false;
  let signalling: Promise<void> | undefined;
  let again = false;
  let listener: pg.Client | undefined;
  let reconnect: NodeJS.Timeout | undefined;

  const signal = async () => {
    await client.workflow.signalWithStart('notificationDrainer', {
      workflowId: notificationDrainerWorkflowId(options.taskQueue),
      taskQueue: options.taskQueue,
      args: [input],
      signal: outboxWrittenSignal,
      signalArgs: [],
    });
  };
  // One signal in flight at a time; writes during it are covered by one more afterwards.
  const wake = () => {
    if (stopped) return;
    if (signalling) {
      again = true;
      return;
    }
    signalling = signal()
      .catch((error: unknown) => log(`could not wake the outbox drainer: ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        signalling = undefined;
        if (again) {
          again = false;
          wake();
        }
      });
  };

  const listen = async () => {
    const connection = new pg.Client({ connectionString: options.databaseUrl });
    connection.on('notification', wake);
    connection.on('error', (error) => {
      log(`outbox listener lost its database connection (${error.message}); reconnecting`);
      void connection.end().catch(() => {});
      if (!stopped) reconnect = setTimeout(() => void listen().catch(retry), RECONNECT_AFTER_MS).unref();
    });
    await connection.connect();
    await connection.query(`listen ${SENDER_CHANNEL}`);
    listener = connection;
    // Rows written while nobody listened are delivered now, not at the next sweep.
    wake();
  };
  const retry = (error: unknown) => {
    log(`outbox listener could not connect (${error instanceof Error ? error.message : String(error)}); retrying`);
    if (!stopped) reconnect = setTimeout(() => void listen().catch(retry), RECONNECT_AFTER_MS).unref();
  };
  await listen();

  return {
    async stop() {
      stopped = true;
      clearTimeout(reconnect);
      await signalling;
      await listener?.end().catch(() => {});
    },
  };
}
