import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { bookingWorkflowId } from '../../workflows/definitions.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { balanceOf, expectLedgerConsistent } from '../support/invariants.js';
import { startStack, type TestStack } from '../support/stack.js';

/*
 * A weekly series as one unit: edited or cancelled from a date on, in one workflow, the
 * sessions before that date untouched and every booking told through its own workflow.
 */

const ZONE = 'America/New_York';
const DAY = 86_400_000;
let stack: TestStack;
let admin: TestUser;
let dayOffset = 0;

beforeAll(async () => {
  stack = await startStack({ STUDIO_TIME_ZONE: ZONE });
  admin = await createUser(stack, 'admin');
});
afterAll(() => stack?.close());

/** The instant a wall-clock time on a day reads in the studio's zone (the test's own arithmetic, not the app's SQL). */
function studioInstant(day: Date, time: string): Date {
  const local = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' }).format(day);
  const [hours, minutes] = time.split(':').map(Number);
  const [year, month, date] = local.split('-').map(Number);
  const asUtc = Date.UTC(year!, month! - 1, date!, hours, minutes);
  const offsetAt = (at: number) => {
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: ZONE, timeZoneName: 'longOffset' }).formatToParts(at);
    const [, sign, h, m] = /GMT([+-])(\d\d):(\d\d)/.exec(parts.find((part) => part.type === 'timeZoneName')!.value) ?? [];
    return sign ? (sign === '-' ? -1 : 1) * (Number(h) * 60 + Number(m)) * 60_000 : 0;
  };
  return new Date(asUtc - offsetAt(asUtc - offsetAt(asUtc)));
}

/** A weekly series at 10:00 studio time, on a day of its own so tests never share a slot. */
async function weeklySeries(trainer: TestUser, weeks: number, capacity = 1) {
  dayOffset += 1;
  const response = await stack.app.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: admin.headers,
    payload: {
      trainerId: trainer.id,
      startsAt: studioInstant(new Date(Date.now() + (2 + dayOffset) * DAY), '10:00').toISOString(),
      durationMinutes: 60,
      capacity,
      repeatWeeks: weeks - 1,
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return { seriesId: response.json().seriesId as string, sessions: response.json().series as Array<{ id: number; startsAt: string }> };
}

async function fundedClient(credits: number) {
  const client = await createUser(stack, 'client');
  await grant(stack, client.id, credits);
  return client;
}

async function book(client: TestUser, sessionId: number) {
  const response = await stack.app.inject({
    method: 'POST',
    url: `/api/sessions/book/${client.id}`,
    headers: client.headers,
    payload: { sessionId },
  });
  expect(response.statusCode, response.body).toBe(200);
}

const sessionRows = async (ids: number[]) =>
  query<{ id: number; startsAt: Date; status: string; trainerId: number }>(
    stack.orm,
    `select id, starts_at as "startsAt", status, trainer_id as "trainerId" from training_sessions where id in (${ids.join(',')}) order by starts_at`,
  );

/** The times a booking's workflow was told its session moved to. */
async function reschedulesHeard(sessionId: number, clientId: number): Promise<string[]> {
  const history = await stack.temporal.workflow.getHandle(bookingWorkflowId(sessionId, clientId)).fetchHistory();
  return history.events!.flatMap((event) => {
    const signal = event.workflowExecutionSignaledEventAttributes;
    if (signal?.signalName !== 'rescheduled') return [];
    const payload = JSON.parse(Buffer.from(signal.input!.payloads![0]!.data!).toString('utf8')) as { startsAt: string };
    return [payload.startsAt];
  });
}

function editSeries(seriesId: string, payload: Record<string, unknown>, key?: string) {
  return stack.app.inject({
    method: 'PATCH',
    url: `/api/admin/series/${seriesId}`,
    headers: { ...admin.headers, ...(key ? { 'idempotency-key': key } : {}) },
    payload,
  });
}

function cancelSeries(seriesId: string, payload: Record<string, unknown>, key?: string) {
  return stack.app.inject({
    method: 'POST',
    url: `/api/admin/series/${seriesId}/cancel`,
    headers: { ...admin.headers, ...(key ? { 'idempotency-key': key } : {}) },
    payload,
  });
}

describe('editing a series from a date on', () => {
  it("moves only the sessions from that date, to the new studio time on each one's day, and their bookings' timers follow", async () => {
    const trainer = await createUser(stack, 'trainer');
    const { seriesId, sessions } = await weeklySeries(trainer, 4);
    const [first, second, third, fourth] = sessions;
    const early = await fundedClient(1);
    const late = await fundedClient(1);
    await book(early, first!.id);
    await book(late, third!.id);

    const response = await editSeries(seriesId, { from: second!.startsAt, startTime: '07:30' }, 'edit-from-second');
    expect(response.statusCode, response.body).toBe(200);
    const expected = [second!, third!, fourth!].map((session) => studioInstant(new Date(session.startsAt), '07:30').toISOString());
    expect(response.json().sessions.map((session: { startsAt: string }) => session.startsAt)).toEqual(expected);
    expect(response.json()).toMatchObject({ seriesId, movedBookings: 1, workflowId: `series-edit-${seriesId}-edit-from-second` });

    const rows = await sessionRows(sessions.map((session) => session.id));
    expect(rows.map((row) => row.startsAt.toISOString())).toEqual([first!.startsAt, ...expected]);
    const [booking] = await query<{ startsAt: Date }>(stack.orm, `select starts_at as "startsAt" from bookings where session_id = ?`, [
      third!.id,
    ]);
    expect(booking!.startsAt.toISOString()).toBe(expected[1]);
    // The moved booking's workflow heard the new time (its reminder and auto-complete run from it); the one before did not.
    expect(await reschedulesHeard(third!.id, late.id)).toEqual([expected[1]]);
    expect(await reschedulesHeard(first!.id, early.id)).toEqual([]);
  });

  it('reassigns the trainer and resizes from a date on, refusing a capacity below any booked session', async () => {
    const trainer = await createUser(stack, 'trainer');
    const other = await createUser(stack, 'trainer');
    const { seriesId, sessions } = await weeklySeries(trainer, 3, 3);
    const clients = [await fundedClient(1), await fundedClient(1)];
    for (const client of clients) await book(client, sessions[2]!.id);

    const tooSmall = await editSeries(seriesId, { from: sessions[0]!.startsAt, capacity: 1 });
    expect(tooSmall.statusCode).toBe(409);
    expect(tooSmall.json().message).toMatch(
      /2 clients are booked into the session of .* \(America\/New York\); capacity cannot go below that/,
    );

    const response = await editSeries(seriesId, { from: sessions[1]!.startsAt, trainerId: other.id, capacity: 2 });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().movedBookings).toBe(0);
    const rows = await sessionRows(sessions.map((session) => session.id));
    expect(rows.map((row) => row.trainerId)).toEqual([trainer.id, other.id, other.id]);
    const [capacities] = await query<{ capacities: number[] }>(
      stack.orm,
      `select array_agg(capacity order by starts_at) as capacities from training_sessions where series_id = ?`,
      [seriesId],
    );
    expect(capacities!.capacities).toEqual([3, 2, 2]);
  });

  it('refuses the whole edit with 409 when one session would overlap the trainer, changing nothing', async () => {
    const trainer = await createUser(stack, 'trainer');
    const { seriesId, sessions } = await weeklySeries(trainer, 3);
    // The trainer is busy at 08:00–09:00 on the last week's day only.
    await createSession(stack, admin, trainer.id, { startsAt: studioInstant(new Date(sessions[2]!.startsAt), '08:00') });
    const response = await editSeries(seriesId, { from: sessions[0]!.startsAt, startTime: '08:30' });
    expect(response.statusCode, response.body).toBe(409);
    expect(response.json()).toMatchObject({ code: 'OVERLAP', message: 'The trainer already has a session at that time.' });
    const rows = await sessionRows(sessions.map((session) => session.id));
    expect(rows.map((row) => row.startsAt.toISOString())).toEqual(sessions.map((session) => session.startsAt));
  });

  it('answers 404 for an unknown series and 400 for an edit that changes nothing', async () => {
    const from = new Date(Date.now() + DAY).toISOString();
    expect((await editSeries('no-such-series', { from, capacity: 2 })).statusCode).toBe(404);
    const { seriesId } = await weeklySeries(await createUser(stack, 'trainer'), 2);
    const empty = await editSeries(seriesId, { from });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().code).toBe('VALIDATION_FAILED');
  });
});

describe('cancelling a series from a date on', () => {
  it('returns every credit from that date exactly once, names who got it back, and leaves earlier sessions alone', async () => {
    const trainer = await createUser(stack, 'trainer');
    const { seriesId, sessions } = await weeklySeries(trainer, 3, 2);
    const [first, second, third] = sessions;
    const ann = await fundedClient(2);
    const ben = await fundedClient(2);
    await book(ann, first!.id);
    await book(ann, second!.id);
    await book(ben, second!.id);
    await book(ben, third!.id);

    const [firstBefore] = await sessionRows([first!.id]);
    const response = await cancelSeries(seriesId, { from: second!.startsAt, reason: 'trainer on leave' }, 'cancel-from-second');
    expect(response.statusCode, response.body).toBe(200);
    const answer = response.json();
    expect(answer.sessions.map((session: { id: number; status: string }) => [session.id, session.status])).toEqual([
      [second!.id, 'cancelled'],
      [third!.id, 'cancelled'],
    ]);
    const returned = answer.cancelledBookings.map((entry: { sessionId: number; clientId: number; clientName: string; credit: string }) => [
      entry.sessionId,
      entry.clientId,
      entry.clientName,
      entry.credit,
    ]);
    expect(returned).toEqual(
      expect.arrayContaining([
        [second!.id, ann.id, 'client Test', 'released'],
        [second!.id, ben.id, 'client Test', 'released'],
        [third!.id, ben.id, 'client Test', 'released'],
      ]),
    );
    expect(returned).toHaveLength(3);

    // The same request again replays its answer; a new one finds nothing left to cancel. Neither releases twice.
    const replay = await cancelSeries(seriesId, { from: second!.startsAt, reason: 'trainer on leave' }, 'cancel-from-second');
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.json()).toEqual(answer);
    expect((await cancelSeries(seriesId, { from: second!.startsAt }, 'cancel-again')).json().code).toBe('NOTHING_TO_CHANGE');

    const releases = await query<{ clientId: number; n: number }>(
      stack.orm,
      `select client_id as "clientId", count(*)::int as n from ledger_entries where kind = 'release' and client_id in (?, ?) group by client_id order by client_id`,
      [ann.id, ben.id],
    );
    expect(releases).toEqual([
      { clientId: ann.id, n: 1 },
      { clientId: ben.id, n: 2 },
    ]);
    expect(await balanceOf(stack.orm, ann.id)).toEqual({ available: 1, held: 1 });
    expect(await balanceOf(stack.orm, ben.id)).toEqual({ available: 2, held: 0 });
    const rows = await sessionRows(sessions.map((session) => session.id));
    expect(rows.map((row) => row.status)).toEqual([firstBefore!.status, 'cancelled', 'cancelled']);
    const [kept] = await query<{ status: string; creditState: string }>(
      stack.orm,
      `select status, credit_state as "creditState" from bookings where session_id = ?`,
      [first!.id],
    );
    expect(kept).toEqual({ status: 'scheduled', creditState: 'held' });
    await expectLedgerConsistent(stack.orm);
  });
});
