/**
 * Release rush: `clients` clients (one credit each) try to book one session of `seats`
 * seats, their requests spread over one second and all in flight together, over real
 * HTTP against the real stack. Prints the time to sell out, oversells counted from the
 * bookings themselves, winner and loser latency, and every answer by status and code.
 * Prints figures; asserts nothing.
 *
 *   npx tsx bench/rush.ts [clients=500] [seats=60] [windowMs=1000]
 */
import { emitResults, loadAverage } from './report.js';
import { figuresOf, httpOutcome, ms, spread } from './scenarios.js';
import { countOversells } from './sql-booking.js';
import { startBenchStack } from './stack.js';

const [clientCount = 500, seats = 60, windowMs = 1000] = process.argv.slice(2).map(Number);

const stack = await startBenchStack({ label: 'rush' });
try {
  const clients = await stack.seedClients(clientCount, 1);
  // Warm-up on other clients and sessions: JIT, pools, the workflow bundle's first activations.
  const warmClients = await stack.seedClients(10, 1);
  const warmSessions = await stack.seedSessions(10, 1);
  await Promise.all(warmClients.map((who, i) => stack.book(who, warmSessions[i]!)));

  const [sessionId] = await stack.seedSessions(1, seats);
  const loadBefore = loadAverage();
  const attempts = await spread(clientCount, windowMs, async (i) => httpOutcome(await stack.book(clients[i]!, sessionId!)));
  const figures = figuresOf(attempts);
  const oversells = await countOversells(stack.pool, 'app', new Map(clients.map((who) => [who.id, 1])), [sessionId!]);
  const {
    rows: [session],
  } = await stack.pool.query<{ booked: number }>(`select booked_count as booked from training_sessions where id = $1`, [sessionId]);
  const errors = Object.entries(figures.outcomes)
    .filter(([outcome]) => outcome.startsWith('error'))
    .reduce((sum, [, n]) => sum + n, 0);

  console.log(
    `\nRelease rush: ${clientCount} clients, ${seats} seats, requests spread over ${windowMs} ms (load average ${loadBefore} → ${loadAverage()})`,
  );
  console.log(`  booked                      ${figures.booked} of ${seats} seats (session's booked_count ${session!.booked})`);
  console.log(`  time to sell out            ${ms(figures.lastBookedAtMs)} (last answer at ${ms(figures.lastAnswerAtMs)})`);
  console.log(`  oversells                   ${oversells.seats} seats, ${oversells.credits} credits`);
  console.log(`  winner latency              p50 ${ms(figures.winners.p50)}  p99 ${ms(figures.winners.p99)}`);
  console.log(`  loser latency               p50 ${ms(figures.losers.p50)}  p99 ${ms(figures.losers.p99)}`);
  console.log(`  errors (not a clean 4xx)    ${errors}`);
  console.log(`  answers                     ${JSON.stringify(figures.outcomes)}`);
  emitResults('rush', { clients: clientCount, seats, windowMs, loadBefore, ...figures, oversells, errors });
} finally {
  await stack.stop();
}
process.exit(0);
