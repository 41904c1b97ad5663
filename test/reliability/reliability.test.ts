import { afterAll, beforeAll, expect, it } from 'vitest';
import { inject } from 'vitest';
import { bookingRace } from './booking-race.js';
import { crash } from './crash.js';
import { printReport, type ScenarioReport } from './report.js';
import { SHORT } from './sizes.js';
import { startSystem, type ReliabilitySystem } from './system.js';
import { webhookChaos } from './webhook-chaos.js';

/**
 * The reliability suite's short form (`npm run test:reliability` runs it at full size):
 * the same scenarios against real processes, each invariant asserted.
 */
let system: ReliabilitySystem;

beforeAll(async () => {
  system = await startSystem({ smtpUrl: inject('mailpitSmtpUrl'), answerBudgetMs: SHORT.crash.answerBudgetMs });
}, 180_000);
afterAll(() => system?.close());

function expectAllHold(report: ScenarioReport): void {
  printReport(report);
  for (const check of report.checks)
    expect({ check: check.check, examples: check.examples, violations: check.violations }).toMatchObject({ violations: 0 });
}

it(
  `webhook chaos: ${SHORT.webhook.payments} payments, each event 3× shuffled, 10 % forged: each credited once, each forgery 400`,
  { timeout: 180_000 },
  async () => {
    const report = await webhookChaos(system, SHORT.webhook);
    expectAllHold(report);
    const forged = Object.entries(report.outcomes).filter(([outcome]) => outcome.startsWith('forged'));
    expect(forged).toEqual([['forged 400 INVALID_SIGNATURE', expect.any(Number)]]);
    expect(report.outcomes['genuine 200']).toBe(SHORT.webhook.payments * 1.5 * SHORT.webhook.deliveries);
  },
);

it(
  `booking race: ${SHORT.race.attempts} attempts on scarce seats and credits: no negative balance, no overbooking, no overlap, clean 4xx`,
  { timeout: 180_000 },
  async () => {
    const report = await bookingRace(system, SHORT.race);
    expectAllHold(report);
    expect(report.outcomes['200'], 'some bookings won').toBeGreaterThan(0);
    expect(
      Object.keys(report.outcomes).some((outcome) => outcome.startsWith('409')),
      'some lost a seat race',
    ).toBe(true);
    expect(report.outcomes['400 NO_CREDITS'], 'some ran out of credit').toBeGreaterThan(0);
  },
);

for (const target of ['worker', 'temporal', 'postgres'] as const) {
  it(
    `crash: kill -9 ${target} with ${SHORT.crash.inFlight} bookings in flight: each booked or compensated, books balanced`,
    { timeout: 240_000 },
    async () => {
      expectAllHold(await crash(system, target, SHORT.crash));
    },
  );
}
