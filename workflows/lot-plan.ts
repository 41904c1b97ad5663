/**
 * What a lot's expiry workflow does next, from what it knows: plain, with no Temporal
 * imports, so the rules are tested as a table (test/workflows/lot-plan.test.ts).
 */
export interface LotClock {
  expiresAtMs: number;
  /** 0: no notice. */
  noticeBeforeMs: number;
  /** The expiry date the last notice announced, if one went out. */
  noticedForMs: number | null;
}

export type LotStep = { kind: 'notice' } | { kind: 'expire' } | { kind: 'wait'; untilMs: number };

export function nextLotStep(clock: LotClock, nowMs: number): LotStep {
  if (nowMs >= clock.expiresAtMs) return { kind: 'expire' };
  const noticeAtMs = clock.expiresAtMs - clock.noticeBeforeMs;
  const noticeDue = clock.noticeBeforeMs > 0 && clock.noticedForMs !== clock.expiresAtMs;
  // A lot granted inside the notice period is announced at once: its client has less than the usual warning.
  if (noticeDue && nowMs >= noticeAtMs) return { kind: 'notice' };
  return { kind: 'wait', untilMs: noticeDue ? noticeAtMs : clock.expiresAtMs };
}
