import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { expectLedgerConsistent } from '../support/invariants.js';
import { startStack, type TestStack } from '../support/stack.js';
import { crash, spawnWorker } from '../support/worker-process.js';

let stack: TestStack;
let worker: ChildProcess | undefined;

beforeAll(async () => {
  // The API waits out the worker's restart (bundling its workflows takes seconds, more on a
  // loaded machine) so that every request gets its real answer, never the 503 of a spent budget.
  stack = await startStack({ TEMPORAL_ANSWER_BUDGET_MS: '60000' }, { worker: false });
});
afterAll(async () => {
  worker?.kill('SIGKILL');
  await stack?.close();
});

it('a worker killed while bookings are in flight loses nothing: each ends booked or compensated', { timeout: 120_000 }, async () => {
  const admin = await createUser(stack, 'admin');
  const trainers = [await createUser(stack, 'trainer'), await createUser(stack, 'trainer')];
  const clients: TestUser[] = [];
  for (let i = 0; i < 20; i += 1) {
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 1);
    clients.push(client);
  }
  // Every client asks for two sessions with one credit: one booking must succeed and the
  // other must be compensated, and both paths are in flight when the worker dies.
  const sessions: Array<{ id: number }> = [];
  for (let i = 0; i < 40; i += 1) sessions.push(await createSession(stack, admin, trainers[i % 2]!.id, { capacity: 1 }));

  worker = await spawnWorker(stack.settings);
  const started = Date.now();
  const requests = clients.flatMap((client, i) =>
    [sessions[2 * i]!, sessions[2 * i + 1]!].map((session) =>
      stack.app.inject({
        method: 'POST',
        url: `/api/sessions/book/${client.id}`,
        headers: client.headers,
        payload: { sessionId: session.id },
      }),
    ),
  );
  // Kill it once the first reservations are committed, while the rest are mid-way.
  const written = async () => (await query<{ n: number }>(stack.orm, `select count(*)::int as n from bookings`))[0]!.n;
  while ((await written()) < 5) await new Promise((resolve) => setTimeout(resolve, 5));
  await crash(worker);
  const answeredBeforeCrash = await written();
  worker = await spawnWorker(stack.settings);
  const responses = await Promise.all(requests);
  const elapsed = Date.now() - started;

  const statuses = responses.map((response) => response.statusCode);
  const booked = statuses.filter((status) => status === 200).length;
  const refused = statuses.filter((status) => status === 400).length;
  console.log(
    `crash: 40 attempts, ${answeredBeforeCrash} reservations written when SIGKILLed, ${booked} booked, ${refused} refused (no credits), all answered in ${elapsed} ms`,
  );
  expect(
    statuses.every((status) => status === 200 || status === 400),
    JSON.stringify(responses.filter((r) => r.statusCode >= 500).map((r) => r.body)),
  ).toBe(true);
  expect(booked).toBe(20);
  for (const response of responses.filter((r) => r.statusCode === 400)) expect(response.json().code).toBe('NO_CREDITS');

  const perClient = await query<{ clientId: number; live: number }>(
    stack.orm,
    `select client_id as "clientId", count(*)::int as live from bookings where status = 'scheduled' and credit_state = 'held' group by client_id`,
  );
  expect(perClient).toHaveLength(20);
  expect(perClient.every((row) => row.live === 1)).toBe(true);
  await expectLedgerConsistent(stack.orm);
});
