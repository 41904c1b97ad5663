import { describe, expect, it } from 'vitest';
import { nextLotStep, type LotClock } from '../../workflows/lot-plan.js';

const DAY = 86_400_000;
const EXPIRES = Date.parse('2027-03-10T10:00:00Z');
const week: LotClock = { expiresAtMs: EXPIRES, noticeBeforeMs: 7 * DAY, noticedForMs: null };

describe("a lot's expiry workflow, step by step", () => {
  it.each([
    ['waits for the notice date first', week, EXPIRES - 30 * DAY, { kind: 'wait', untilMs: EXPIRES - 7 * DAY }],
    ['sends the notice on its date', week, EXPIRES - 7 * DAY, { kind: 'notice' }],
    ['sends it at once for a lot granted inside the notice period', week, EXPIRES - DAY, { kind: 'notice' }],
    ['then waits for the expiry', { ...week, noticedForMs: EXPIRES }, EXPIRES - DAY, { kind: 'wait', untilMs: EXPIRES }],
    ['expires at the instant', { ...week, noticedForMs: EXPIRES }, EXPIRES, { kind: 'expire' }],
    ['expires a lot whose notice never went out (the workflow was down)', week, EXPIRES + DAY, { kind: 'expire' }],
    ['announces a new expiry date again', { ...week, noticedForMs: EXPIRES - DAY }, EXPIRES - DAY, { kind: 'notice' }],
    ['sends no notice when the policy is 0', { ...week, noticeBeforeMs: 0 }, EXPIRES - DAY, { kind: 'wait', untilMs: EXPIRES }],
  ] as const)('%s', (_name, clock, now, step) => {
    expect(nextLotStep(clock, now)).toEqual(step);
  });
});
