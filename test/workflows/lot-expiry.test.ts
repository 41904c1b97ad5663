import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { startLotExpiryBackfill } from '../../worker/worker.js';
import { ClientIdKey, lotExpiryWorkflowId } from '../../workflows/definitions.js';
import { allocateExpiring, createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { firstPayload, localActivitiesRun } from '../support/history.js';
import { balanceOf, expectLedgerConsistent } from '../support/invariants.js';
import { startStack, type TestStack } from '../support/stack.js';

/*
 * Issue 10 §1: a lot's credits expire on time in the lot's own workflow, exactly once; no
 * read counts an expired credit, even before that workflow writes its entry; bookings take
 * the earliest-expiring live lot; an admin's extension moves the expiry and the timer
 * follows; the notice is written once. Validity is seconds here (the dev server cannot
 * skip time), and every figure the test reads is one the client or the console reads.
 */

let stack: TestStack;
let admin: TestUser;
let trainer: TestUser;
const SECOND = 1_000;
/** How long after expiresAt each lot whose worker was up throughout got its entry (ms), printed at the end. */
const latencies: number[] = [];

beforeAll(async () => {
  stack = await startStack();
  admin = await createUser(stack, 'admin');
  trainer = await createUser(stack, 'trainer');
});
afterAll(async () => {
  if (latencies.length > 0) console.log(`expire entry written ${latencies.map((ms) => `${ms} ms`).join(', ')} after expiresAt`);
  await stack?.close();
});

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const until = (at: Date) => sleep(Math.max(0, at.getTime() - Date.now()));

/** An admin's allocation through the API (the allocation workflow starts the lot's expiry workflow); answers the lot. */

type ExpireEntry = {
  delta: number;
  heldDelta: number;
  workflowId: string | null;
  createdAt: Date;
};

function expireEntries(lotId: number): Promise<ExpireEntry[]> {
  return query<ExpireEntry>(
    stack.orm,
    `select delta, held_delta as "heldDelta", workflow_id as "workflowId", created_at as "createdAt"
       from ledger_entries where lot_id = ? and kind = 'expire' order by id`,
    [lotId],
  );
}

/** Waits for the lot's expire entry and records how long after expiresAt it was written. */
async function expiredEntry(lotId: number, expiresAt: Date, { onTime = true } = {}): Promise<ExpireEntry> {
  await eventually(async () => expect(await expireEntries(lotId)).toHaveLength(1), 15_000, 20);
  const [entry] = await expireEntries(lotId);
  if (onTime) latencies.push(entry!.createdAt.getTime() - expiresAt.getTime());
  return entry!;
}

/** `available` as each screen reads it: the seed's summary, the client's own, the clients list and the console's record. */
async function availableEverywhere(client: TestUser): Promise<number[]> {
  const [summary, mine, list, record] = await Promise.all([
    stack.app.inject({ method: 'GET', url: `/api/sessions/user-summary/${client.id}`, headers: admin.headers }),
    stack.app.inject({ method: 'GET', url: '/api/me/summary', headers: client.headers }),
    stack.app.inject({ method: 'GET', url: '/api/sessions/clients', headers: admin.headers }),
    stack.app.inject({ method: 'GET', url: `/api/admin/clients/${client.id}`, headers: admin.headers }),
  ]);
  return [
    summary.json().data.available,
    mine.json().data.available,
    list.json().find((row: { id: number }) => row.id === client.id).availableSessions,
    record.json().availableSessions,
  ];
}

async function book(client: TestUser, sessionId: number) {
  return stack.app.inject({ method: 'POST', url: `/api/sessions/book/${client.id}`, headers: client.headers, payload: { sessionId } });
}

async function heldLot(client: TestUser, sessionId: number): Promise<number> {
  const [row] = await query<{ lotId: number }>(
    stack.orm,
    `select lot_id as "lotId" from bookings where client_id = ? and session_id = ? and credit_state = 'held'`,
    [client.id, sessionId],
  );
  return row!.lotId;
}

function extend(lotId: number, expiresAt: Date, reason = 'client was ill for a week') {
  return stack.app.inject({
    method: 'POST',
    url: `/api/admin/lots/${lotId}/extend`,
    headers: admin.headers,
    payload: { expiresAt: expiresAt.toISOString(), reason },
  });
}

describe('a lot with an expiry', () => {
  it('expires on time in its own workflow: one expire entry takes what remains, and every screen shows it gone', async () => {
    const client = await createUser(stack, 'client');
    const expiresAt = new Date(Date.now() + 3 * SECOND);
    const lotId = await allocateExpiring(stack, admin, client.id, 3, expiresAt);
    expect(await availableEverywhere(client)).toEqual([3, 3, 3, 3]);

    const entry = await expiredEntry(lotId, expiresAt);
    expect(entry).toMatchObject({ delta: -3, heldDelta: 0, workflowId: lotExpiryWorkflowId(lotId) });
    expect(entry.createdAt.getTime()).toBeGreaterThanOrEqual(expiresAt.getTime());
    expect(await availableEverywhere(client)).toEqual([0, 0, 0, 0]);
    const result = await stack.temporal.workflow.getHandle(lotExpiryWorkflowId(lotId)).result();
    expect(result).toMatchObject({ lotId, expiresAt: expiresAt.toISOString() });
    await expectLedgerConsistent(stack.orm);
  });

  it('is started with its plan by the workflow that granted it: the grant takes one workflow task, the lot reads nothing to begin', async () => {
    const client = await createUser(stack, 'client');
    const expiresAt = new Date(Date.now() + 3_600_000);
    const lotId = await allocateExpiring(stack, admin, client.id, 2, expiresAt);
    const [grantEntry] = await query<{ workflowId: string }>(
      stack.orm,
      `select workflow_id as "workflowId" from ledger_entries where lot_id = ? and kind = 'grant'`,
      [lotId],
    );
    const allocation = await stack.temporal.workflow.getHandle(grantEntry!.workflowId).fetchHistory();
    expect(allocation.events!.filter((event) => event.workflowTaskCompletedEventAttributes)).toHaveLength(1);
    expect(allocation.events!.some((event) => event.startChildWorkflowExecutionInitiatedEventAttributes)).toBe(false);
    expect((await localActivitiesRun(stack.temporal, grantEntry!.workflowId)).map((run) => run.type)).toEqual([
      'grantCredits',
      'startLotExpiry',
    ]);

    const workflowId = lotExpiryWorkflowId(lotId);
    await eventually(async () => {
      const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
      expect(history.events!.some((event) => event.timerStartedEventAttributes)).toBe(true);
    });
    const history = await stack.temporal.workflow.getHandle(workflowId).fetchHistory();
    expect(firstPayload(history.events![0]!.workflowExecutionStartedEventAttributes!.input)).toEqual({
      lotId,
      plan: {
        clientId: client.id,
        expiresAt: expiresAt.toISOString(),
        noticeBeforeMs: stack.settings.policies.expiryNoticeDays * 86_400_000,
      },
    });
    // An hour away is inside the notice lead: the notice is its first step, with no read of the lot before it.
    expect((await localActivitiesRun(stack.temporal, workflowId)).map((run) => run.type)).toEqual(['queueExpiryNotice']);
    expect(history.events!.some((event) => event.upsertWorkflowSearchAttributesEventAttributes)).toBe(false);
    const described = await stack.temporal.workflow.getHandle(workflowId).describe();
    expect(described.typedSearchAttributes.get(ClientIdKey)).toBe(String(client.id));
  });

  it('is not counted by any read once past expiresAt, even before its timer fires; a read just before counts it', async () => {
    const client = await createUser(stack, 'client');
    const expiresAt = new Date(Date.now() + 3 * SECOND);
    const lotId = await allocateExpiring(stack, admin, client.id, 2, expiresAt);
    // No worker: the timer cannot fire, so only the reads' own comparison with now() can hide the credits.
    await stack.stopWorker();
    try {
      await until(new Date(expiresAt.getTime() - 400));
      expect(await availableEverywhere(client)).toEqual([2, 2, 2, 2]);
      await until(new Date(expiresAt.getTime() + 50));
      expect(await availableEverywhere(client)).toEqual([0, 0, 0, 0]);
      const record = (await stack.app.inject({ method: 'GET', url: `/api/admin/lots/${lotId}`, headers: admin.headers })).json();
      expect(record).toMatchObject({ remaining: 0, expired: true });
      expect(await expireEntries(lotId)).toEqual([]);
      // The cached balance still counts them until the entry is written; the health check knows why and reports no drift.
      const health = await stack.app.inject({ method: 'GET', url: '/api/sessions/allocation-health', headers: admin.headers });
      expect(health.json().data.clientsWithBalanceDrift).toBe(0);
    } finally {
      await stack.startWorker();
    }
    await expiredEntry(lotId, expiresAt, { onTime: false });
    expect(await availableEverywhere(client)).toEqual([0, 0, 0, 0]);
    await expectLedgerConsistent(stack.orm);
  });

  it('is never booked from once expired, even before its timer fires: the booking finds no credit and changes nothing', async () => {
    const client = await createUser(stack, 'client');
    const expiresAt = new Date(Date.now() + 2 * SECOND);
    await grant(stack, client.id, 1, expiresAt); // straight through the ledger: no expiry workflow to race
    const session = await createSession(stack, admin, trainer.id);
    await until(new Date(expiresAt.getTime() + 50));
    const response = await book(client, session.id);
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'NO_CREDITS', availableSessions: 0 });
    const entries = await query<{ kind: string }>(stack.orm, `select kind from ledger_entries where client_id = ? order by id`, [
      client.id,
    ]);
    expect(entries.map((entry) => entry.kind)).toEqual(['grant']);
    expect(await availableEverywhere(client)).toEqual([0, 0, 0, 0]);
    await expectLedgerConsistent(stack.orm);
  });

  it('books from the lot that expires first, and the next booking from the next live lot once that one expired', async () => {
    const client = await createUser(stack, 'client');
    const soon = new Date(Date.now() + 4 * SECOND);
    const later = new Date(Date.now() + 30 * 86_400_000);
    await grant(stack, client.id, 1); // never expires: used last
    const laterLot = await allocateExpiring(stack, admin, client.id, 2, later);
    const soonLot = await allocateExpiring(stack, admin, client.id, 2, soon);
    const first = await createSession(stack, admin, trainer.id);
    const second = await createSession(stack, admin, trainer.id);
    expect((await book(client, first.id)).statusCode).toBe(200);
    expect(await heldLot(client, first.id)).toBe(soonLot);

    await expiredEntry(soonLot, soon);
    expect(await expireEntries(soonLot)).toMatchObject([{ delta: -1 }]);
    expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 3, held: 1 });
    const booked = await book(client, second.id);
    expect(booked.statusCode, booked.body).toBe(200);
    expect(booked.json().availableSessions).toBe(2);
    expect(await heldLot(client, second.id)).toBe(laterLot);
    await expectLedgerConsistent(stack.orm);
  });

  it("keeps a credit a booking holds for that booking: attended after the lot's expiry, it is consumed, never expired", async () => {
    const client = await createUser(stack, 'client');
    const expiresAt = new Date(Date.now() + 3 * SECOND);
    const lotId = await allocateExpiring(stack, admin, client.id, 2, expiresAt);
    const session = await createSession(stack, admin, trainer.id);
    expect((await book(client, session.id)).statusCode).toBe(200);
    await expiredEntry(lotId, expiresAt);
    expect(await expireEntries(lotId)).toMatchObject([{ delta: -1, heldDelta: 0 }]);
    expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 0, held: 1 });

    const completed = await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/${session.id}/complete`,
      headers: trainer.headers,
      payload: {},
    });
    expect(completed.statusCode, completed.body).toBe(202);
    await eventually(async () => expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 0, held: 0 }));
    const kinds = await query<{ kind: string }>(stack.orm, `select kind from ledger_entries where lot_id = ? order by id`, [lotId]);
    expect(kinds.map((row) => row.kind)).toEqual(['grant', 'hold', 'expire', 'consume']);
    await expectLedgerConsistent(stack.orm);
  });
});

describe("an admin's extension", () => {
  it('moves the expiry later, in the ledger with its reason, and the workflow expires the lot at the new time', async () => {
    const client = await createUser(stack, 'client');
    const original = new Date(Date.now() + 3 * SECOND);
    const lotId = await allocateExpiring(stack, admin, client.id, 2, original);
    const extended = new Date(original.getTime() + 4 * SECOND);
    const response = await extend(lotId, extended);
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().data).toMatchObject({ lotId, clientId: client.id, remaining: 2, expiresAt: extended.toISOString() });

    const [adjust] = await query<{ delta: number; reason: string; actor: string; workflowId: string }>(
      stack.orm,
      `select delta, reason, actor, workflow_id as "workflowId" from ledger_entries where lot_id = ? and kind = 'adjust'`,
      [lotId],
    );
    expect(adjust).toMatchObject({ delta: 0, actor: `admin:${admin.id}`, workflowId: lotExpiryWorkflowId(lotId) });
    // Both dates as the front desk reads them, in the studio's zone (STUDIO_TIME_ZONE, UTC here).
    const readable = (date: Date) =>
      `${new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(date)} UTC`;
    expect(adjust!.reason).toBe(
      `Expiry of lot #${lotId} extended from ${readable(original)} to ${readable(extended)}: client was ill for a week`,
    );

    await until(new Date(original.getTime() + SECOND));
    expect(await expireEntries(lotId)).toEqual([]);
    expect(await availableEverywhere(client)).toEqual([2, 2, 2, 2]);
    const entry = await expiredEntry(lotId, extended);
    expect(entry.createdAt.getTime()).toBeGreaterThanOrEqual(extended.getTime());
    expect(await availableEverywhere(client)).toEqual([0, 0, 0, 0]);
    await expectLedgerConsistent(stack.orm);
  });

  it('starts the workflow of a lot that had none, and refuses what cannot be extended', async () => {
    const client = await createUser(stack, 'client');
    const expiresAt = new Date(Date.now() + 60 * SECOND);
    await grant(stack, client.id, 1, expiresAt); // no workflow yet
    await grant(stack, client.id, 1); // never expires
    const lots = await query<{ id: number; expiresAt: Date | null }>(
      stack.orm,
      `select id, expires_at as "expiresAt" from credit_lots where client_id = ? order by id`,
      [client.id],
    );
    const [expiring, forever] = lots;

    const sooner = await extend(expiring!.id, new Date(expiresAt.getTime() - SECOND));
    expect(sooner.statusCode).toBe(400);
    expect(sooner.json().message).toContain('later than the current one');
    const ok = await extend(expiring!.id, new Date(expiresAt.getTime() + 60 * SECOND));
    expect(ok.statusCode, ok.body).toBe(200);
    const described = await stack.temporal.workflow.getHandle(lotExpiryWorkflowId(expiring!.id)).describe();
    expect(described.status.name).toBe('RUNNING');

    const never = await extend(forever!.id, new Date(Date.now() + 86_400_000));
    expect(never.statusCode).toBe(400);
    expect(never.json().message).toContain('never expires');
    const missing = await extend(2_000_000_000, new Date(Date.now() + 86_400_000));
    expect(missing.statusCode).toBe(404);
    const blank = await extend(expiring!.id, new Date(Date.now() + 86_400_000), '   ');
    expect(blank.statusCode).toBe(400);
  });

  it('is refused for a lot that already expired', async () => {
    const client = await createUser(stack, 'client');
    const expiresAt = new Date(Date.now() + 2 * SECOND);
    const lotId = await allocateExpiring(stack, admin, client.id, 1, expiresAt);
    await expiredEntry(lotId, expiresAt);
    const response = await extend(lotId, new Date(Date.now() + 86_400_000));
    expect(response.statusCode).toBe(409);
    expect(response.json().message).toContain('already expired');
    expect(await availableEverywhere(client)).toEqual([0, 0, 0, 0]);
  });
});

describe('the expiry notice', () => {
  it('is written once per lot and expiry date, as an outbox row, and again for a new date after an extension', async () => {
    const client = await createUser(stack, 'client');
    // Inside the 7-day notice period from the start, so the notice goes out at once.
    const expiresAt = new Date(Date.now() + 5 * SECOND);
    const lotId = await allocateExpiring(stack, admin, client.id, 2, expiresAt);
    const notices = () =>
      query<{ kind: string; payload: { lotId: number; sessions: number; expiresAt: string } }>(
        stack.orm,
        `select kind, payload from notifications where user_id = ? and kind = 'credits.expiring' order by id`,
        [client.id],
      );
    await eventually(async () => expect(await notices()).toHaveLength(1));
    expect((await notices())[0]).toMatchObject({ payload: { lotId, sessions: 2, expiresAt: expiresAt.toISOString() } });

    // A worker restart replays the workflow: the notice is not written twice.
    await stack.stopWorker();
    await stack.startWorker();
    const extended = new Date(expiresAt.getTime() + 2 * SECOND);
    expect((await extend(lotId, extended)).statusCode).toBe(200);
    await expiredEntry(lotId, extended);
    expect((await notices()).map((row) => row.payload.expiresAt)).toEqual([expiresAt.toISOString(), extended.toISOString()]);
    const result = await stack.temporal.workflow.getHandle(lotExpiryWorkflowId(lotId)).result();
    expect(result.notices).toBe(2);
  });
});

describe('lots granted before lots had workflows', () => {
  it("get theirs from the worker's backfill, which a second start repeats harmlessly", async () => {
    const client = await createUser(stack, 'client');
    const expiresAt = new Date(Date.now() + 4 * SECOND);
    await grant(stack, client.id, 2, expiresAt);
    const [lot] = await query<{ id: number }>(stack.orm, `select id from credit_lots where client_id = ?`, [client.id]);
    const { taskQueue } = stack.settings.temporal;
    await startLotExpiryBackfill(stack.temporal, taskQueue);
    await eventually(async () => {
      const described = await stack.temporal.workflow.getHandle(lotExpiryWorkflowId(lot!.id)).describe();
      expect(described.status.name).toBe('RUNNING');
    });
    await startLotExpiryBackfill(stack.temporal, taskQueue);
    const entry = await expiredEntry(lot!.id, expiresAt);
    expect(entry).toMatchObject({ delta: -2, workflowId: lotExpiryWorkflowId(lot!.id) });
    await expectLedgerConsistent(stack.orm);
  });
});
