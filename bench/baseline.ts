/**
 * The seed's booking beside this one, on the same data and at the same concurrency: the
 * old check-then-decrement (read the balance and the seat, insert, write back what was
 * read minus one, no transaction) against the app's booking over HTTP. Two scenarios: a
 * release rush (`clients` with one credit each for one session of `seats` seats, spread
 * over one second) and a double spend (`spenders` clients with one credit each, each
 * sending `tries` bookings for different sessions at once). Oversells are counted from the
 * bookings, never from the counters. Prints figures; asserts nothing.
 *
 *   npx tsx bench/baseline.ts [clients=500] [seats=60] [spenders=32] [tries=4]
 */
import { emitResults, loadAverage } from './report.js';
import { figuresOf, httpOutcome, ms, spread, type AttemptFigures } from './scenarios.js';
import { copyIntoSeedTables, countOversells, seedBooking, type Oversells } from './sql-booking.js';
import { startBenchStack } from './stack.js';

const [clientCount = 500, seats = 60, spenders = 32, tries = 4] = process.argv.slice(2).map(Number);

const stack = await startBenchStack({ label: 'baseline' });
try {
  const warmClients = await stack.seedClients(10, 1);
  const warmSessions = await stack.seedSessions(10, 1);
  await Promise.all(warmClients.map((who, i) => stack.book(who, warmSessions[i]!)));

  const results: Array<{ scenario: string; booking: 'seed' | 'app'; figures: AttemptFigures; oversells: Oversells }> = [];
  for (const booking of ['seed', 'app'] as const) {
    // Fresh clients and sessions per run, with the same shape: the same data for both.
    const rushers = await stack.seedClients(clientCount, 1);
    const [rushSession] = await stack.seedSessions(1, seats);
    const doubleSpenders = await stack.seedClients(spenders, 1);
    const spendSessions = await stack.seedSessions(tries, spenders);
    if (booking === 'seed') {
      await copyIntoSeedTables(
        stack.pool,
        [...rushers, ...doubleSpenders].map((who) => who.id),
        [rushSession!, ...spendSessions],
      );
    }
    const attempt = async (who: { id: number; token: string }, sessionId: number) =>
      booking === 'seed' ? seedBooking(stack.pool, who.id, sessionId) : httpOutcome(await stack.book(who, sessionId));

    const credits = new Map([...rushers, ...doubleSpenders].map((who) => [who.id, 1]));
    const rush = figuresOf(await spread(clientCount, 1000, (i) => attempt(rushers[i]!, rushSession!)));
    results.push({
      scenario: 'rush',
      booking,
      figures: rush,
      oversells: await countOversells(stack.pool, booking, credits, [rushSession!]),
    });
    const spend = figuresOf(
      await spread(spenders * tries, 0, (i) => attempt(doubleSpenders[Math.floor(i / tries)]!, spendSessions[i % tries]!)),
    );
    results.push({
      scenario: 'double spend',
      booking,
      figures: spend,
      oversells: await countOversells(stack.pool, booking, credits, spendSessions),
    });
  }

  console.log(`\nSeed baseline against this booking (load average ${loadAverage()})`);
  console.log(
    `${'scenario'.padEnd(14)}${'booking'.padEnd(9)}${'attempts'.padStart(9)}${'booked'.padStart(8)}${'seat oversells'.padStart(16)}${'credit oversells'.padStart(18)}${'last answer'.padStart(13)}  answers`,
  );
  for (const { scenario, booking, figures, oversells } of results) {
    console.log(
      `${scenario.padEnd(14)}${booking.padEnd(9)}${String(figures.attempts).padStart(9)}${String(figures.booked).padStart(8)}` +
        `${String(oversells.seats).padStart(16)}${String(oversells.credits).padStart(18)}${ms(figures.lastAnswerAtMs).padStart(13)}  ${JSON.stringify(figures.outcomes)}`,
    );
  }
  console.log(
    `(rush: ${clientCount} clients with one credit, one session of ${seats} seats; double spend: ${spenders} clients with one credit, ${tries} bookings each at once)`,
  );
  emitResults('baseline', { clients: clientCount, seats, spenders, tries, results });
} finally {
  await stack.stop();
}
process.exit(0);
