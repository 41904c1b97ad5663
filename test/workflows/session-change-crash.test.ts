import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../launcher/free-port.js';
import { query } from '../../model/transaction.js';
import { sessionCancelWorkflowId, sessionRescheduleWorkflowId } from '../../workflows/definitions.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { balanceOf, expectLedgerConsistent } from '../support/invariants.js';
import { startStack, type TestStack } from '../support/stack.js';
import { crash, spawnApi, spawnWorker } from '../support/worker-process.js';

/*
 * Cancelling or moving a whole session is a workflow, so neither an API nor a worker
 * killed half-way leaves live bookings in a cancelled session or timers on the old time.
 */

let stack: TestStack;
let worker: ChildProcess | undefined;
let api: ChildProcess | undefined;
let admin: TestUser;
let trainer: TestUser;

beforeAll(async () => {
  stack = await startStack({}, { worker: false });
  admin = await createUser(stack, 'admin');
  trainer = await createUser(stack, 'trainer');
  worker = await spawnWorker(stack.settings);
});
afterAll(async () => {
  worker?.kill('SIGKILL');
  api?.kill('SIGKILL');
  await stack?.close();
});

async function bookedSession(clients: number) {
  const session = await createSession(stack, admin, trainer.id, { capacity: clients, startsAt: new Date(Date.now() + 5 * 3_600_000) });
  const booked: TestUser[] = [];
  for (let i = 0; i < clients; i += 1) {
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 1);
    const answer = await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/book/${client.id}`,
      headers: client.headers,
      payload: { sessionId: session.id },
    });
    expect(answer.statusCode, answer.body).toBe(200);
    booked.push(client);
  }
  return { session, clients: booked };
}

const liveCount = async (sessionId: number) =>
  (
    await query<{ n: number }>(
      stack.orm,
      `select count(*)::int as n from bookings where session_id = ? and status in ('scheduled', 'confirmed')`,
      [sessionId],
    )
  )[0]!.n;

describe('a whole-session cancel survives crashes', () => {
  it(
    'the API killed right after it started the cancel: every booking still ends cancelled, credit returned',
    { timeout: 120_000 },
    async () => {
      const { session, clients } = await bookedSession(8);
      const port = await freePort();
      api = await spawnApi(stack.settings, port);
      const request = fetch(`http://127.0.0.1:${port}/api/sessions/${session.id}`, {
        method: 'PATCH',
        headers: { ...admin.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ status: 'cancelled', reason: 'studio flooded' }),
      }).catch((error: Error) => error);
      // Killed once the workflow exists, before the API could answer.
      await eventually(
        async () =>
          expect((await stack.temporal.workflow.getHandle(sessionCancelWorkflowId(session.id)).describe()).status.name).toBeDefined(),
        10_000,
        10,
      );
      await crash(api);
      api = undefined;
      expect(await request).toBeInstanceOf(Error);
      const outcomes = await stack.temporal.workflow.getHandle(sessionCancelWorkflowId(session.id)).result();
      expect(outcomes.map((outcome: { credit: string }) => outcome.credit)).toEqual(Array(8).fill('released'));
      expect(await liveCount(session.id)).toBe(0);
      for (const client of clients) expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 1, held: 0 });
      await expectLedgerConsistent(stack.orm);
    },
  );

  it('the worker killed mid fan-out: after a restart every booking ends cancelled, nothing twice', { timeout: 120_000 }, async () => {
    const { session, clients } = await bookedSession(10);
    const answer = stack.app.inject({
      method: 'PATCH',
      url: `/api/sessions/${session.id}`,
      headers: admin.headers,
      payload: { status: 'cancelled' },
    });
    await eventually(async () => expect(await liveCount(session.id)).toBeLessThan(10), 15_000, 5);
    await crash(worker!);
    const liveAtCrash = await liveCount(session.id);
    worker = await spawnWorker(stack.settings);
    const response = await answer;
    expect(response.statusCode, response.body).toBe(200);
    await stack.temporal.workflow.getHandle(sessionCancelWorkflowId(session.id)).result();
    console.log(
      `session cancel: 10 bookings, ${liveAtCrash} still live when the worker was SIGKILLed, ${await liveCount(session.id)} live after restart`,
    );
    expect(await liveCount(session.id)).toBe(0);
    for (const client of clients) expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 1, held: 0 });
    const releases = await query<{ n: number }>(
      stack.orm,
      `select count(*)::int as n from ledger_entries where session_id = ? and kind = 'release'`,
      [session.id],
    );
    expect(releases).toEqual([{ n: 10 }]);
    await expectLedgerConsistent(stack.orm);
  });
});

describe('a reschedule is a workflow too', () => {
  it('moves the session and its bookings, and runs one move of a session at a time', { timeout: 60_000 }, async () => {
    const { session } = await bookedSession(2);
    const later = new Date(Date.parse(session.startsAt) + 2 * 3_600_000).toISOString();
    const moved = await stack.app.inject({
      method: 'PATCH',
      url: `/api/sessions/${session.id}`,
      headers: admin.headers,
      payload: { startsAt: later },
    });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().startsAt).toBe(later);
    const rows = await query<{ startsAt: Date }>(stack.orm, `select starts_at as "startsAt" from bookings where session_id = ?`, [
      session.id,
    ]);
    expect(rows.map((row) => row.startsAt.toISOString())).toEqual([later, later]);
    const history = await stack.temporal.workflow.getHandle(sessionRescheduleWorkflowId(session.id)).fetchHistory();
    // One signal to each booking's workflow (the session's waitlist hears of the move too).
    const toBookings = history.events!.filter((event) =>
      event.signalExternalWorkflowExecutionInitiatedEventAttributes?.workflowExecution?.workflowId?.startsWith('booking-'),
    );
    expect(toBookings).toHaveLength(2);

    const answers = await Promise.all(
      ['Bring a towel', 'Room 2'].map((notes) =>
        stack.app.inject({ method: 'PATCH', url: `/api/sessions/${session.id}`, headers: admin.headers, payload: { notes } }),
      ),
    );
    const statuses = answers.map((answer) => answer.statusCode).sort();
    // One after the other, or the second told to wait: never both at once.
    expect([
      [200, 200],
      [200, 409],
    ]).toContainEqual(statuses);
    for (const refused of answers.filter((answer) => answer.statusCode === 409)) expect(refused.json().code).toBe('CHANGE_IN_PROGRESS');
  });
});
