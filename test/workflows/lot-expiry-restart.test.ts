import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { lotExpiryWorkflowId } from '../../workflows/definitions.js';
import { allocateExpiring, createUser, type TestUser } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { balanceOf, expectLedgerConsistent } from '../support/invariants.js';
import { startPrivateTemporal, type PrivateTemporal } from '../support/private-temporal.js';
import { startStack, type TestStack } from '../support/stack.js';
import { crash, spawnWorker } from '../support/worker-process.js';

/*
 * A lot's expiry survives what happens between its grant and its expiry: the worker killed
 * (SIGKILL) and started again, and the Temporal server killed and started again on the same
 * history file. Either way exactly one expire entry is written, by the lot's workflow, and
 * no read counted the credits in between. This file runs its own dev server (it kills it)
 * and its worker as a separate process (`npm run worker`'s entry point).
 */

let stack: TestStack;
let server: PrivateTemporal;
let admin: TestUser;
let worker: ChildProcess | undefined;
const SECOND = 1_000;

beforeAll(async () => {
  server = await startPrivateTemporal();
  stack = await startStack({}, { temporalAddress: server.address, worker: false });
  admin = await createUser(stack, 'admin');
  worker = await spawnWorker(stack.settings);
}, 120_000);

afterAll(async () => {
  if (worker) await crash(worker);
  await stack?.close();
  await server?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function expireEntries(lotId: number) {
  return query<{ delta: number; workflowId: string; createdAt: Date }>(
    stack.orm,
    `select delta, workflow_id as "workflowId", created_at as "createdAt" from ledger_entries where lot_id = ? and kind = 'expire'`,
    [lotId],
  );
}

async function available(client: TestUser): Promise<number> {
  const response = await stack.app.inject({ method: 'GET', url: `/api/sessions/user-summary/${client.id}`, headers: admin.headers });
  return response.json().data.available;
}

async function expectExpiredOnce(client: TestUser, lotId: number, expiresAt: Date, sessions: number, what: string): Promise<Date> {
  await eventually(async () => expect(await expireEntries(lotId)).toHaveLength(1), 60_000, 20);
  const [entry] = await expireEntries(lotId);
  expect(entry).toMatchObject({ delta: -sessions, workflowId: lotExpiryWorkflowId(lotId) });
  console.log(`${what}: expire entry written ${entry!.createdAt.getTime() - expiresAt.getTime()} ms after expiresAt`);
  // Nothing more is written however long the dust takes to settle.
  await sleep(1_500);
  expect(await expireEntries(lotId)).toHaveLength(1);
  expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 0, held: 0 });
  await expectLedgerConsistent(stack.orm);
  return entry!.createdAt;
}

it(
  'expires a lot once when the worker is killed between its grant and its expiry and comes back after it',
  { timeout: 120_000 },
  async () => {
    const client = await createUser(stack, 'client');
    const expiresAt = new Date(Date.now() + 3 * SECOND);
    const lotId = await allocateExpiring(stack, admin, client.id, 2, expiresAt);
    await crash(worker!);
    worker = undefined;
    await sleep(expiresAt.getTime() - Date.now() + 500);
    // No worker: no timer can fire, and no read counts the credits.
    expect(await expireEntries(lotId)).toEqual([]);
    expect(await available(client)).toBe(0);
    const restarted = Date.now();
    worker = await spawnWorker(stack.settings);
    const back = Date.now();
    const writtenAt = await expectExpiredOnce(client, lotId, expiresAt, 2, 'worker killed and restarted');
    console.log(
      `worker restart: ready ${back - restarted} ms after its start, expire entry ${writtenAt.getTime() - back} ms after it was ready`,
    );
  },
);

it(
  'expires a lot once when the Temporal server is killed between its grant and its expiry and restarted on its history',
  { timeout: 120_000 },
  async () => {
    const client = await createUser(stack, 'client');
    const expiresAt = new Date(Date.now() + 8 * SECOND);
    const lotId = await allocateExpiring(stack, admin, client.id, 3, expiresAt);
    // The workflow has started and set its timer.
    await eventually(async () => {
      const history = await stack.temporal.workflow.getHandle(lotExpiryWorkflowId(lotId)).fetchHistory();
      expect(history.events?.some((event) => event.timerStartedEventAttributes)).toBe(true);
    });
    await server.kill();
    await sleep(1_000);
    expect(await available(client)).toBe(3);
    await server.start();
    console.log(`Temporal restart: back with ${expiresAt.getTime() - Date.now()} ms to go before expiresAt`);
    await sleep(expiresAt.getTime() - Date.now() + 200);
    expect(await available(client)).toBe(0);
    await expectExpiredOnce(client, lotId, expiresAt, 3, 'Temporal killed and restarted');
  },
);
