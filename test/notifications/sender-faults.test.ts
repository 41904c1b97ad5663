import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { freePort } from '../../launcher/free-port.js';
import { startMailpit, type RunningMailpit } from '../../launcher/mailpit.js';
import { wakeSender } from '../../model/notifications.js';
import { query } from '../../model/transaction.js';
import { createUser, type TestUser } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { firstPayload } from '../support/history.js';
import { messagesTo } from '../support/mailpit.js';
import { startSmtpProxy, type SmtpProxy } from '../support/smtp-proxy.js';
import { startStack, type TestStack } from '../support/stack.js';
import { notificationDrainerWorkflowId } from '../../workflows/definitions.js';
import { crash, spawnWorker } from '../support/worker-process.js';

/**
 * The sender under faults, against a Mailpit of this file's own (so it can be stopped)
 * reached through a relay that can hold a message's end: a worker killed mid-send and an
 * SMTP server that is down both end with every outbox row delivered exactly once.
 */
let stack: TestStack;
let mailpit: RunningMailpit;
let proxy: SmtpProxy;
let dir: string;
let ports: { smtpPort: number; httpPort: number };
const workers = new Set<ChildProcess>();

const startOwnMailpit = () => startMailpit(inject('mailpitBinary'), { databaseFile: path.join(dir, 'mailpit.db'), ...ports });

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'studio-mailpit-'));
  ports = { smtpPort: await freePort(), httpPort: await freePort() };
  mailpit = await startOwnMailpit();
  proxy = await startSmtpProxy(ports.smtpPort);
  // No worker in this process: each is a real `npm run worker` process a test can SIGKILL.
  stack = await startStack({ SMTP_URL: proxy.url }, { worker: false });
});
afterAll(async () => {
  for (const worker of workers) await crash(worker);
  await stack?.close();
  await proxy?.close();
  await mailpit?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function worker(): Promise<ChildProcess> {
  const child = await spawnWorker(stack.settings);
  workers.add(child);
  return child;
}

async function kill(child: ChildProcess): Promise<void> {
  await crash(child);
  workers.delete(child);
}

/** Low-balance nudges for fresh clients, written as any change writes its outbox row. */
async function queueNudges(count: number): Promise<TestUser[]> {
  const clients = await Promise.all(Array.from({ length: count }, (_, n) => createUser(stack, 'client', `nudged${n}`)));
  for (const client of clients) {
    await query(
      stack.orm,
      `insert into notifications (user_id, kind, payload, idempotency_key) values (?, 'credits.low', '{"available": 1}'::jsonb, ?)`,
      [client.id, `fault-test:${client.id}`],
    );
    await wakeSender(stack.orm);
  }
  return clients;
}

async function rows(clients: TestUser[]) {
  return query<{ userId: number; state: string; attempts: number; lastError: string | null }>(
    stack.orm,
    `select user_id as "userId", state, attempts, last_error as "lastError" from notifications where user_id in (select jsonb_array_elements_text(?::jsonb)::int) order by user_id`,
    [JSON.stringify(clients.map((client) => client.id))],
  );
}

async function expectEachDeliveredOnce(clients: TestUser[]): Promise<void> {
  for (const client of clients) {
    const arrived = await messagesTo(client.email, mailpit.httpUrl);
    expect(
      arrived.map((message) => message.subject),
      client.email,
    ).toEqual([expect.stringMatching(/^You have 1 credit left/)]);
  }
}

describe('the sender under faults', () => {
  it('a worker killed while a message is on the wire: the next worker delivers every row exactly once', async () => {
    const held = proxy.holdNextMessageEnd();
    const first = await worker();
    // One message in flight when the worker dies, so the kill lands where SMTP can still undo
    // it, never in the documented window between another message's acceptance and its commit.
    const clients = await queueNudges(1);
    await held;
    // The message's body is at the server, its end is not.
    await kill(first);
    await worker();
    clients.push(...(await queueNudges(4)));
    await eventually(async () => expect((await rows(clients)).map((row) => row.state)).toEqual(Array(5).fill('sent')), 60_000, 250);
    await expectEachDeliveredOnce(clients);
    // The one cut off was tried again: its first attempt is on the record.
    expect(Math.max(...(await rows(clients)).map((row) => row.attempts))).toBeGreaterThanOrEqual(2);
  }, 120_000);

  it('an SMTP server that is down: rows wait with their error, retried, and go out once when it is back', async () => {
    await mailpit.stop();
    const clients = await queueNudges(3);
    await eventually(
      async () => {
        for (const row of await rows(clients)) {
          expect(row.state).toBe('pending');
          expect(row.attempts).toBeGreaterThanOrEqual(2);
          expect(row.lastError).toBeTruthy();
        }
      },
      30_000,
      250,
    );
    // Its ports were just released; a restart on them may need a moment before the kernel lets it bind.
    for (let attempt = 1; ; attempt += 1) {
      try {
        mailpit = await startOwnMailpit();
        break;
      } catch (error) {
        if (attempt === 5) throw error;
        await new Promise((resolve) => setTimeout(resolve, 500));
      }
    }
    await eventually(async () => expect((await rows(clients)).map((row) => row.state)).toEqual(Array(3).fill('sent')), 90_000, 250);
    await expectEachDeliveredOnce(clients);
    expect((await rows(clients)).every((row) => row.lastError === null)).toBe(true);
  }, 180_000);

  it('rows written while no worker runs go out in one send activity when a worker starts', async () => {
    for (const running of [...workers]) await kill(running);
    const clients = await queueNudges(4);
    const ids = (
      await query<{ id: number }>(
        stack.orm,
        `select id::int as id from notifications where user_id in (select jsonb_array_elements_text(?::jsonb)::int) order by id`,
        [JSON.stringify(clients.map((client) => client.id))],
      )
    ).map((row) => row.id);
    await worker();
    await eventually(async () => expect((await rows(clients)).map((row) => row.state)).toEqual(Array(4).fill('sent')), 60_000, 250);
    await expectEachDeliveredOnce(clients);

    const history = await stack.temporal.workflow
      .getHandle(notificationDrainerWorkflowId(stack.settings.temporal.taskQueue))
      .fetchHistory();
    const sends = history.events!.flatMap((event) => {
      const scheduled = event.activityTaskScheduledEventAttributes;
      if (!scheduled) return [];
      return [{ type: scheduled.activityType!.name, input: firstPayload(scheduled.input) }];
    });
    expect(sends.every((send) => send.type === 'sendNotifications')).toBe(true);
    expect(sends).toContainEqual({ type: 'sendNotifications', input: ids });
  }, 120_000);
});
