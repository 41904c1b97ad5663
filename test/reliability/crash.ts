import { randomBytes } from 'node:crypto';
import { query } from '../../model/transaction.js';
import { createAccounts, createSession, grantCredits, scheduleStart } from './fixtures.js';
import { call, outcomeOf, type Answer } from './http.js';
import { invariant, ledgerChecks, tally, type ScenarioReport } from './report.js';
import type { ReliabilitySystem } from './system.js';

export type CrashTarget = 'worker' | 'temporal' | 'postgres';

export interface CrashSize {
  inFlight: number;
  /** The API's TEMPORAL_ANSWER_BUDGET_MS: every request must be answered within it and a margin. */
  answerBudgetMs: number;
  /** How long the killed process stays down. */
  downMs: number;
  /** Retries of 503 answers (same Idempotency-Key) end by then. */
  convergeTimeoutMs: number;
}

/** An answer may come this much after the budget: the request's own work around the Temporal call. */
const ANSWER_MARGIN_MS = 5_000;
/** Every fifth client has no credit: their booking must be compensated (seat released, 400 NO_CREDITS). */
const UNFUNDED_EVERY = 5;

const honest = (answer: Answer) =>
  answer.status === 200 ||
  (answer.status >= 400 && answer.status < 500 && typeof answer.body.code === 'string') ||
  (answer.status === 503 &&
    /_PENDING$|^TEMPORARILY_UNAVAILABLE$/.test(String(answer.body.code)) &&
    Number(answer.headers?.get('retry-after')) > 0);

/**
 * Crash: `inFlight` bookings sent at once, then `kill -9` of the target (the worker, the
 * Temporal dev server, or every PostgreSQL process) while they are in flight, a pause,
 * and a restart. Each request must get an answer within its timeout: the truth, or an
 * honest 503 with Retry-After, which the client then retries with the same
 * Idempotency-Key until it is the truth. Every booking must end booked (funded clients)
 * or compensated (the others: no booking, the seat free, the credit untouched), and every
 * balance must equal its ledger.
 */
export async function crash(system: ReliabilitySystem, target: CrashTarget, size: CrashSize): Promise<ScenarioReport> {
  const { orm } = system;
  const clients = await createAccounts(orm, 'client', size.inFlight);
  const [trainer] = await createAccounts(orm, 'trainer', 1);
  const funded = new Set<number>();
  for (const [index, clientId] of clients.entries()) {
    if (index % UNFUNDED_EVERY === UNFUNDED_EVERY - 1) continue;
    await grantCredits(orm, clientId, 1);
    funded.add(clientId);
  }
  // Two clients per session of two seats: no contention, so each outcome is known in advance.
  const base = new Date(scheduleStart().getTime() + { worker: 0, temporal: 1, postgres: 2 }[target] * 30 * 86_400_000);
  const sessionOf = new Map<number, number>();
  for (let index = 0; index < clients.length; index += 2) {
    const sessionId = await createSession(orm, trainer!, new Date(base.getTime() + (index / 2) * 3_600_000), 2);
    sessionOf.set(clients[index]!, sessionId);
    if (clients[index + 1] !== undefined) sessionOf.set(clients[index + 1]!, sessionId);
  }
  const requests = clients.map((clientId) => {
    const key = `crash-${target}-${randomBytes(8).toString('hex')}`;
    const token = system.token({ id: clientId, role: 'client' });
    return {
      clientId,
      send: () =>
        call(system.api, 'POST', `/api/sessions/book/${clientId}`, {
          token,
          body: { sessionId: sessionOf.get(clientId) },
          headers: { 'idempotency-key': key },
          timeoutMs: size.answerBudgetMs + ANSWER_MARGIN_MS,
        }),
    };
  });

  const started = performance.now();
  const first = requests.map((request) => request.send());
  await new Promise((resolve) => setTimeout(resolve, 300));
  const kill = { worker: () => system.killWorker(), temporal: () => system.killTemporal(), postgres: () => system.killPostgres() }[target];
  const restart = { worker: () => system.startWorker(), temporal: () => system.startTemporal(), postgres: () => system.startPostgres() }[
    target
  ];
  const killedAt = performance.now() - started;
  await kill();
  await new Promise((resolve) => setTimeout(resolve, size.downMs));
  const restartingAt = performance.now() - started;
  await restart();
  const restartedAt = performance.now() - started;
  const answers = await Promise.all(first);
  const outcomes: Record<string, number> = {};
  for (const answer of answers) tally(outcomes, `first ${outcomeOf(answer)}`);
  const unanswered = answers.filter((answer) => answer.timedOut || answer.status === 0).map((answer) => outcomeOf(answer));
  const dishonest = answers.filter((answer) => !answer.timedOut && answer.status !== 0 && !honest(answer)).map((answer) => answer.body);
  const slowest = Math.max(...answers.map((answer) => answer.ms));

  // Clients retry what was not the truth yet, as the 503 tells them, with the same key.
  const final = [...answers];
  let retries = 0;
  let rounds = 0;
  const deadline = Date.now() + size.convergeTimeoutMs;
  const pending = (answer: Answer) => answer.status === 503 || answer.status === 0 || answer.timedOut;
  while (final.some(pending) && Date.now() < deadline) {
    rounds += 1;
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    await Promise.all(
      requests.map(async (request, index) => {
        if (!pending(final[index]!)) return;
        retries += 1;
        final[index] = await request.send();
        if (!pending(final[index]!) && !honest(final[index]!)) dishonest.push(final[index]!.body);
      }),
    );
  }
  for (const answer of final) tally(outcomes, `final ${outcomeOf(answer)}`);
  const convergedSeconds = (performance.now() - started) / 1000;

  const bookings = await query<{ clientId: number; status: string; creditState: string }>(
    orm,
    `select client_id as "clientId", status, credit_state as "creditState" from bookings where client_id in (?)`,
    [clients],
  );
  const live = new Map(
    bookings.filter((row) => !['cancelled', 'late_cancelled'].includes(row.status)).map((row) => [row.clientId, row] as const),
  );
  const wrongEnd: unknown[] = [];
  for (const [index, request] of requests.entries()) {
    const answer = final[index]!;
    const booking = live.get(request.clientId);
    if (funded.has(request.clientId)) {
      if (answer.status !== 200 || booking?.creditState !== 'held') {
        wrongEnd.push({ clientId: request.clientId, funded: true, answer: outcomeOf(answer), booking });
      }
    } else if (!(answer.status === 400 && answer.body.code === 'NO_CREDITS') || booking) {
      wrongEnd.push({ clientId: request.clientId, funded: false, answer: outcomeOf(answer), booking });
    }
  }
  return {
    name: `crash: kill -9 ${target === 'postgres' ? 'PostgreSQL' : target === 'temporal' ? 'the Temporal dev server' : 'the worker'}`,
    attempts: requests.length,
    outcomes,
    seconds: convergedSeconds,
    figures: {
      setup: `${requests.length} bookings in flight, ${funded.size} funded (must book), ${requests.length - funded.size} without credit (must be compensated)`,
      timeline: `killed at ${(killedAt / 1000).toFixed(1)} s, restart began at ${(restartingAt / 1000).toFixed(1)} s, back at ${(restartedAt / 1000).toFixed(1)} s`,
      'slowest first answer': `${(slowest / 1000).toFixed(1)} s (timeout ${((size.answerBudgetMs + ANSWER_MARGIN_MS) / 1000).toFixed(0)} s)`,
      retries: `${retries} in ${rounds} rounds; all answers true by ${convergedSeconds.toFixed(1)} s`,
    },
    checks: [
      invariant('requests left without an answer within their timeout', unanswered),
      invariant('answers neither the truth nor an honest 503 with Retry-After', dishonest),
      invariant('bookings neither booked (funded) nor compensated (no credit)', wrongEnd),
      ...(await ledgerChecks(orm)),
    ],
  };
}
