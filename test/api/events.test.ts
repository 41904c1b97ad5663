import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../api/app.js';
import { LISTENER_APPLICATION_NAME, purgeChanges } from '../../model/change-events.js';
import { openDatabase, type Orm } from '../../model/orm.js';
import { query } from '../../model/transaction.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { listeningUrl, openEventStream, type EventStreamReader, type SseEvent } from '../support/event-stream.js';
import { startStack, type TestStack } from '../support/stack.js';

/*
 * GET /api/events against the real stack over real sockets: who sees which change, the
 * heartbeat, resuming with Last-Event-ID, two API instances on one database, and a
 * listener whose connection is killed under it.
 */

const HEARTBEAT_MS = 300;
const STREAMS_PER_USER = 3;

let stack: TestStack;
let base: string;
let admin: TestUser;
let clientA: TestUser;
let clientB: TestUser;
let trainerOwn: TestUser;
let trainerOther: TestUser;
const open: EventStreamReader[] = [];

interface Change {
  id: number;
  resource: string;
  recordId: number;
  clientId: number | null;
  trainerId: number | null;
  sessionId: number | null;
}
const changeOf = (event: SseEvent) => JSON.parse(event.data) as Change;

async function stream(user: TestUser | undefined, extra: Record<string, string> = {}, at = base): Promise<EventStreamReader> {
  const reader = await openEventStream(at, { ...(user?.headers ?? {}), ...extra });
  open.push(reader);
  return reader;
}

/** A stream that has caught up: its `ready` has arrived, so every later change reaches it. */
async function readyStream(user: TestUser, at = base): Promise<{ reader: EventStreamReader; position: string }> {
  const reader = await stream(user, {}, at);
  expect(reader.status).toBe(200);
  const ready = await reader.nextOf('ready');
  return { reader, position: ready.id! };
}

/** Every `change` until `until` matches one (included), failing after `timeoutMs`; `arrivedAt` is when that one arrived. */
async function changesUntil(
  reader: EventStreamReader,
  until: (change: Change) => boolean,
  timeoutMs = 5_000,
): Promise<Change[] & { arrivedAt: number }> {
  const seen: Change[] = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const event = await reader.nextOf('change', Math.max(1, deadline - Date.now()));
    seen.push(changeOf(event));
    if (until(seen.at(-1)!)) return Object.assign(seen, { arrivedAt: event.at });
  }
}

/** Reads on until the server ends the stream (heartbeats may come first); its last events. */
async function untilEnded(reader: EventStreamReader, timeoutMs = 2_000): Promise<string[]> {
  const seen: string[] = [];
  for (;;) {
    try {
      seen.push((await reader.next(timeoutMs)).event);
    } catch (error) {
      expect((error as Error).message).toBe('the event stream ended');
      return seen;
    }
  }
}

async function book(at: string, client: TestUser, sessionId: number): Promise<Response> {
  return fetch(`${at}/api/sessions/book/${client.id}`, {
    method: 'POST',
    headers: { ...client.headers, 'content-type': 'application/json' },
    body: JSON.stringify({ sessionId }),
  });
}

beforeAll(async () => {
  stack = await startStack({ EVENTS_HEARTBEAT_MS: String(HEARTBEAT_MS), EVENTS_STREAMS_PER_USER: String(STREAMS_PER_USER) });
  base = await listeningUrl(stack.app);
  admin = await createUser(stack, 'admin');
  clientA = await createUser(stack, 'client', 'clientA');
  clientB = await createUser(stack, 'client', 'clientB');
  trainerOwn = await createUser(stack, 'trainer', 'own');
  trainerOther = await createUser(stack, 'trainer', 'other');
  await grant(stack, clientA.id, 5);
  await grant(stack, clientB.id, 5);
});
afterAll(async () => {
  for (const reader of open) reader.close();
  await stack?.close();
});

describe('GET /api/events', () => {
  it('refuses a caller without a valid token (401) and a Last-Event-ID that is no change id (400)', async () => {
    expect((await stream(undefined)).status).toBe(401);
    expect((await stream(undefined, { authorization: 'Bearer not.a.token' })).status).toBe(401);
    for (const garbage of ['abc', '-1', '1.5', '99999999999999999999', '0x10', ' ']) {
      const refused = await stream(admin, { 'last-event-id': garbage });
      expect(refused.status, garbage).toBe(400);
      expect(JSON.parse(refused.text!)).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });

  it('serves no HEAD, which would open a stream nobody reads', async () => {
    const head = await stack.app.inject({ method: 'HEAD', url: '/api/events', headers: admin.headers });
    expect(head.statusCode).toBe(404);
  });

  it("shows a client only their own changes, a trainer only their own sessions', an admin everything", async () => {
    const session = await createSession(stack, admin, trainerOwn.id);
    const streams = {
      admin: await readyStream(admin),
      clientA: await readyStream(clientA),
      clientB: await readyStream(clientB),
      trainerOwn: await readyStream(trainerOwn),
      trainerOther: await readyStream(trainerOther),
    };
    const booked = await book(base, clientA, session.id);
    expect(booked.status).toBe(200);
    const bookingOfA = (change: Change) => change.resource === 'bookings' && change.clientId === clientA.id;
    await changesUntil(streams.admin.reader, bookingOfA);
    const seenByA = await changesUntil(streams.clientA.reader, (change) => change.resource === 'ledger');
    const seenByTrainer = await changesUntil(streams.trainerOwn.reader, bookingOfA);
    // Then a change of B's own and of the other trainer's own: whatever reached them before it is what they were shown of A's booking.
    await grant(stack, clientB.id, 1);
    await query(stack.orm, `update users set phone = '555-0101' where id = ?`, [trainerOther.id]);
    const seenByB = await changesUntil(streams.clientB.reader, (change) => change.resource === 'ledger');
    const seenByOther = await changesUntil(streams.trainerOther.reader, (change) => change.resource === 'users');

    expect(seenByA.every((change) => change.clientId === clientA.id)).toBe(true);
    expect(seenByA.map((change) => change.resource)).toContain('bookings');
    expect(seenByB.every((change) => change.clientId === clientB.id)).toBe(true);
    expect(seenByTrainer.every((change) => change.trainerId === trainerOwn.id)).toBe(true);
    expect([...seenByOther]).toEqual([
      expect.objectContaining({ resource: 'users', recordId: trainerOther.id, trainerId: trainerOther.id }),
    ]);
  });

  it('sends a heartbeat comment every EVENTS_HEARTBEAT_MS', async () => {
    const { reader } = await readyStream(admin);
    const first = await reader.nextOf('comment', HEARTBEAT_MS * 4);
    const second = await reader.nextOf('comment', HEARTBEAT_MS * 4);
    expect([first.data, second.data]).toEqual(['heartbeat', 'heartbeat']);
    console.log(`heartbeats ${(second.at - first.at).toFixed(0)} ms apart (EVENTS_HEARTBEAT_MS=${HEARTBEAT_MS})`);
    reader.close();
  });

  it('resumes from Last-Event-ID with exactly the changes missed, then goes on live', async () => {
    const { reader, position } = await readyStream(clientA);
    reader.close();
    await grant(stack, clientA.id, 2);
    await grant(stack, clientB.id, 2);
    await query(stack.orm, `update users set phone = '555-0102' where id = ?`, [clientA.id]);
    const missed = await query<{ id: string }>(stack.orm, 'select id from change_events where id > ? and client_id = ? order by id', [
      position,
      clientA.id,
    ]);
    expect(missed.length).toBeGreaterThanOrEqual(3);

    const resumed = await stream(clientA, { 'last-event-id': position });
    const replayed: string[] = [];
    for (;;) {
      const event = await resumed.next();
      if (event.event === 'change') replayed.push(event.id!);
      if (event.event === 'ready') break;
    }
    expect(replayed).toEqual(missed.map((row) => String(row.id)));
    await grant(stack, clientA.id, 1);
    expect((await resumed.nextOf('change')).id).not.toBe(replayed.at(-1));
    resumed.close();
  });

  it('tells a stream to reload everything when what it missed was purged or is not known here', async () => {
    const { reader, position } = await readyStream(admin);
    reader.close();
    await grant(stack, clientA.id, 1);
    // Everything before now is past its retention; the newest change is always kept.
    await query(stack.orm, `update change_events set created_at = now() - interval '48 hours'`);
    expect(await purgeChanges(stack.orm, 24)).toBeGreaterThan(0);
    const [{ kept } = { kept: 0 }] = await query<{ kept: number }>(stack.orm, 'select count(*)::int as kept from change_events');
    expect(kept).toBe(1);

    for (const from of [position, '999999999999999']) {
      const resumed = await stream(admin, { 'last-event-id': from });
      expect((await resumed.next()).event).toBe('reset');
      expect((await resumed.next()).event).toBe('ready');
      resumed.close();
    }
  });

  it('refuses more than EVENTS_STREAMS_PER_USER streams for one account on one instance (429)', async () => {
    const user = await createUser(stack, 'client', 'tabs');
    const streams = [];
    for (let i = 0; i < STREAMS_PER_USER; i += 1) streams.push((await readyStream(user)).reader);
    const refused = await stream(user);
    expect(refused.status).toBe(429);
    expect(JSON.parse(refused.text!)).toMatchObject({ code: 'TOO_MANY_STREAMS' });
    streams[0]!.close();
    await eventually(async () => {
      const again = await stream(user);
      expect(again.status).toBe(200);
      again.close();
    });
    for (const reader of streams) reader.close();
  });

  it('ends the stream of an account deactivated meanwhile at its next heartbeat', async () => {
    const leaving = await createUser(stack, 'trainer', 'leaving');
    const { reader } = await readyStream(leaving);
    const changed = await stack.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${leaving.id}`,
      headers: admin.headers,
      payload: { active: false },
    });
    expect(changed.statusCode).toBe(200);
    expect((await untilEnded(reader, HEARTBEAT_MS * 4)).at(-1)).toBe('ended');
  });

  describe('across two API instances on one database', () => {
    let second: { app: FastifyInstance; orm: Orm; base: string };

    beforeAll(async () => {
      const orm = await openDatabase(stack.settings.databaseUrl!);
      const app = await buildApp({ settings: stack.settings, orm, temporal: stack.temporal });
      second = { app, orm, base: await listeningUrl(app) };
    });
    afterAll(async () => {
      await second?.app.close();
      await second?.orm.close(true);
    });

    it("delivers a booking and an allocation made through instance 1 to instance 2's stream within 1 s", async () => {
      const session = await createSession(stack, admin, trainerOwn.id);
      const { reader } = await readyStream(admin, second.base);

      const sent = performance.now();
      const booked = await book(base, clientB, session.id);
      const answered = performance.now();
      expect(booked.status).toBe(200);
      const booking = await changesUntil(reader, (change) => change.resource === 'bookings' && change.clientId === clientB.id);
      const bookingAt = booking.arrivedAt;
      expect(booking.at(-1)).toMatchObject({ sessionId: session.id, trainerId: trainerOwn.id });
      // The booking's hold, so that the next ledger change of B's is the allocation's grant.
      await changesUntil(reader, (change) => change.resource === 'ledger' && change.clientId === clientB.id);

      const allocationSent = performance.now();
      const allocated = await fetch(`${base}/api/sessions/add-to-user`, {
        method: 'POST',
        headers: { ...admin.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ userId: clientB.id, sessions: 3, reason: 'Two instances' }),
      });
      const allocationAnswered = performance.now();
      expect(allocated.status).toBe(200);
      const allocationAt = (await changesUntil(reader, (change) => change.resource === 'ledger' && change.clientId === clientB.id, 1_000))
        .arrivedAt;
      console.log(
        `two instances: booking seen on instance 2's stream ${(bookingAt - sent).toFixed(0)} ms after it was sent to instance 1 ` +
          `(instance 1 answered after ${(answered - sent).toFixed(0)} ms); allocation seen after ${(allocationAt - allocationSent).toFixed(0)} ms ` +
          `(answered after ${(allocationAnswered - allocationSent).toFixed(0)} ms)`,
      );
      expect(bookingAt - answered).toBeLessThan(1_000);
      expect(allocationAt - allocationAnswered).toBeLessThan(1_000);
    });

    it('closes its open streams when the instance shuts down, so app.close() returns', async () => {
      const orm = await openDatabase(stack.settings.databaseUrl!);
      const app = await buildApp({ settings: stack.settings, orm, temporal: stack.temporal });
      const at = await listeningUrl(app);
      const { reader } = await readyStream(admin, at);
      await app.close();
      await orm.close(true);
      expect(await untilEnded(reader)).not.toContain('change');
    });
  });

  it('keeps streaming after its listening connection is killed, catching up what committed meanwhile', async () => {
    const { reader } = await readyStream(admin);
    const [before] = await query<{ pid: number }>(
      stack.orm,
      'select pid from pg_stat_activity where application_name = ? and datname = current_database()',
      [LISTENER_APPLICATION_NAME],
    );
    expect(before).toBeDefined();
    // The app's own role may signal its own backends; the listener logs in as that role.
    const [killed] = await query<{ done: boolean }>(stack.orm, 'select pg_terminate_backend(?) as done', [before!.pid]);
    expect(killed!.done).toBe(true);
    // At once, while it reconnects (its first retry waits 100 ms): this change can reach the stream only through the catch-up.
    const killedAt = performance.now();
    await grant(stack, clientA.id, 1);
    const caught = await changesUntil(reader, (change) => change.resource === 'ledger' && change.clientId === clientA.id, 10_000);
    console.log(`listener killed: the change made meanwhile arrived ${(caught.arrivedAt - killedAt).toFixed(0)} ms later`);
    let reconnected: { backendStartedAt: Date }[] = [];
    await eventually(async () => {
      reconnected = await query<{ backendStartedAt: Date }>(
        stack.orm,
        `select backend_start as "backendStartedAt" from pg_stat_activity where application_name = ? and datname = current_database() and pid <> ?`,
        [LISTENER_APPLICATION_NAME, before!.pid],
      );
      expect(reconnected).toHaveLength(1);
    });
    const [change] = await query<{ createdAt: Date }>(stack.orm, 'select created_at as "createdAt" from change_events where id = ?', [
      caught.at(-1)!.id,
    ]);
    expect(change!.createdAt.getTime()).toBeLessThan(reconnected[0]!.backendStartedAt.getTime());
    await grant(stack, clientB.id, 1);
    await changesUntil(reader, (change) => change.resource === 'ledger' && change.clientId === clientB.id);
  });
});
