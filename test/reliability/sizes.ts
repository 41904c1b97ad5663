import type { BookingRaceSize } from './booking-race.js';
import type { CrashSize } from './crash.js';
import type { WebhookChaosSize } from './webhook-chaos.js';

/** The suite's sizes: `full` for `npm run test:reliability`, `short` for the test in `npm test`. */
export interface ReliabilitySizes {
  webhook: WebhookChaosSize;
  race: BookingRaceSize;
  crash: CrashSize;
}

const ANSWER_BUDGET_MS = 10_000;

export const FULL: ReliabilitySizes = {
  webhook: { payments: 1_000, deliveries: 3, forgedShare: 0.1, concurrency: 8, settleTimeoutMs: 180_000 },
  race: { attempts: 10_000, concurrency: 32 },
  crash: { inFlight: 200, answerBudgetMs: ANSWER_BUDGET_MS, downMs: 3_000, convergeTimeoutMs: 180_000 },
};

export const SHORT: ReliabilitySizes = {
  webhook: { payments: 100, deliveries: 3, forgedShare: 0.1, concurrency: 8, settleTimeoutMs: 60_000 },
  race: { attempts: 500, concurrency: 32 },
  crash: { inFlight: 20, answerBudgetMs: ANSWER_BUDGET_MS, downMs: 2_000, convergeTimeoutMs: 120_000 },
};

/** `payments=300 attempts=2000 inFlight=50`-style overrides on the command line. */
export function withOverrides(sizes: ReliabilitySizes, args: string[]): ReliabilitySizes {
  const result = structuredClone(sizes);
  for (const arg of args) {
    const [name, value] = arg.split('=');
    const number = Number(value);
    if (!name || !Number.isFinite(number)) throw new Error(`size "${arg}" is not name=number`);
    if (name === 'payments') result.webhook.payments = number;
    else if (name === 'attempts') result.race.attempts = number;
    else if (name === 'inFlight') result.crash.inFlight = number;
    else throw new Error(`unknown size "${name}" (payments, attempts, inFlight)`);
  }
  return result;
}
