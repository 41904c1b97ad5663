import { randomBytes } from 'node:crypto';
import { run } from '../../bench/stats.js';
import { query } from '../../model/transaction.js';
import { createAccounts, createSession, grantCredits, scheduleStart } from './fixtures.js';
import { call, isCleanRefusal, outcomeOf } from './http.js';
import { invariant, latencies, ledgerChecks, tally, type ScenarioReport } from './report.js';
import type { ReliabilitySystem } from './system.js';

export interface BookingRaceSize {
  attempts: number;
  concurrency: number;
}

const TRAINERS = 6;

/**
 * Booking race: `attempts` bookings by random clients into random sessions, `concurrency`
 * at a time, over fewer seats and fewer credits than attempts. Sessions of different
 * trainers overlap (the same hour, or half an hour apart), so a client can also be refused
 * for being elsewhere. Afterwards: no negative balance, no session over capacity, nobody
 * in two overlapping sessions, every winner's booking live and every live booking a
 * winner's, every loser a 4xx with a message and a code.
 */
export async function bookingRace(system: ReliabilitySystem, size: BookingRaceSize): Promise<ScenarioReport> {
  const { orm } = system;
  const clients = await createAccounts(orm, 'client', Math.max(4, Math.ceil(size.attempts / 20)));
  const trainers = await createAccounts(orm, 'trainer', TRAINERS);
  // Scarce credits: 0, 1 or 2 each, about one per 20 attempts.
  let credits = 0;
  for (const [index, clientId] of clients.entries()) {
    const quantity = index % 3;
    if (quantity > 0) await grantCredits(orm, clientId, quantity);
    credits += quantity;
  }
  // Scarce seats: about one per 20 attempts, in sessions of 1 to 3.
  const sessionCount = Math.max(3, Math.ceil(size.attempts / 40));
  const base = scheduleStart();
  const sessions: number[] = [];
  let seats = 0;
  for (let index = 0; index < sessionCount; index += 1) {
    const trainer = index % TRAINERS;
    const hour = Math.floor(index / TRAINERS);
    const startsAt = new Date(base.getTime() + hour * 3_600_000 + (trainer % 2) * 30 * 60_000);
    const capacity = 1 + (index % 3);
    sessions.push(await createSession(orm, trainers[trainer]!, startsAt, capacity));
    seats += capacity;
  }
  const tokens = new Map(clients.map((id) => [id, system.token({ id, role: 'client' })]));

  const outcomes: Record<string, number> = {};
  const winners = new Set<string>();
  const unclean: Array<{ outcome: string; body: unknown }> = [];
  const samples: number[] = [];
  const started = performance.now();
  await run(size.attempts, size.concurrency, async () => {
    const clientId = clients[Math.floor(Math.random() * clients.length)]!;
    const sessionId = sessions[Math.floor(Math.random() * sessions.length)]!;
    const answer = await call(system.api, 'POST', `/api/sessions/book/${clientId}`, {
      token: tokens.get(clientId)!,
      body: { sessionId },
      headers: { 'idempotency-key': `race-${randomBytes(8).toString('hex')}` },
    });
    samples.push(answer.ms);
    tally(outcomes, outcomeOf(answer));
    if (answer.status === 200) winners.add(`${sessionId}:${clientId}`);
    else if (!isCleanRefusal(answer)) unclean.push({ outcome: outcomeOf(answer), body: answer.body });
  });
  const seconds = (performance.now() - started) / 1000;

  const live = await query<{ sessionId: number; clientId: number }>(
    orm,
    `select session_id as "sessionId", client_id as "clientId" from bookings
      where session_id in (?) and status not in ('cancelled', 'late_cancelled')`,
    [sessions],
  );
  const liveKeys = new Set(live.map((row) => `${row.sessionId}:${row.clientId}`));
  const [negative] = await query<{ count: number }>(
    orm,
    `select count(*)::int as count from users where available_sessions < 0 or held_sessions < 0`,
  );
  const overCapacity = await query(
    orm,
    `select s.id, s.capacity, count(b.id)::int as booked from training_sessions s
       join bookings b on b.session_id = s.id and b.status not in ('cancelled', 'late_cancelled')
      where s.id in (?) group by s.id having count(b.id) > s.capacity`,
    [sessions],
  );
  return {
    name: 'booking race',
    attempts: size.attempts,
    outcomes,
    seconds,
    figures: {
      setup: `${clients.length} clients holding ${credits} credits, ${sessionCount} sessions with ${seats} seats, ${TRAINERS} trainers`,
      throughput: `${(size.attempts / seconds).toFixed(1)} attempts/s at ${size.concurrency} in flight`,
      latency: latencies(samples),
      'bookings made': live.length,
    },
    checks: [
      invariant('clients with a negative balance', negative!.count > 0 ? [negative] : []),
      invariant('sessions over capacity', overCapacity),
      invariant('losers not answered 4xx with a message and a code', unclean),
      invariant(
        'winners without a live booking',
        [...winners].filter((key) => !liveKeys.has(key)),
      ),
      invariant(
        'live bookings no winner was told of',
        [...liveKeys].filter((key) => !winners.has(key)),
      ),
      ...(await ledgerChecks(orm)),
    ],
  };
}
