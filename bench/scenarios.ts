import { percentile } from './stats.js';

/**
 * The contended scenarios, run the same way against the app (HTTP) and the seed's SQL:
 * many attempts arriving spread over a window, each answered `booked`, a refusal's code,
 * or an error (anything that is not a clean answer).
 */

export interface Attempt {
  outcome: string;
  latencyMs: number;
  /** When its answer arrived, from the scenario's start. */
  answeredAtMs: number;
}

/** `count` attempts, the i-th sent at i/count of the window (so all within it), all in flight together. */
export async function spread(count: number, windowMs: number, attempt: (i: number) => Promise<string>): Promise<Attempt[]> {
  const began = performance.now();
  return Promise.all(
    Array.from({ length: count }, async (_, i) => {
      await new Promise((resolve) => setTimeout(resolve, (i * windowMs) / count));
      const started = performance.now();
      const outcome = await attempt(i).catch((error: unknown) => `error ${error instanceof Error ? error.message : String(error)}`);
      const answered = performance.now();
      return { outcome, latencyMs: answered - started, answeredAtMs: answered - began };
    }),
  );
}

export interface AttemptFigures {
  attempts: number;
  outcomes: Record<string, number>;
  booked: number;
  /** When the last booking's answer arrived: the time to sell out, when the seats ran out. */
  lastBookedAtMs: number;
  lastAnswerAtMs: number;
  winners: { p50: number; p99: number };
  losers: { p50: number; p99: number };
}

export function figuresOf(attempts: Attempt[]): AttemptFigures {
  const outcomes: Record<string, number> = {};
  for (const { outcome } of attempts) outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
  const won = attempts.filter((a) => a.outcome === 'booked');
  const lost = attempts.filter((a) => a.outcome !== 'booked');
  const latency = (list: Attempt[]) => {
    const sorted = list.map((a) => a.latencyMs).sort((a, b) => a - b);
    return { p50: percentile(sorted, 50), p99: percentile(sorted, 99) };
  };
  return {
    attempts: attempts.length,
    outcomes,
    booked: won.length,
    lastBookedAtMs: Math.max(0, ...won.map((a) => a.answeredAtMs)),
    lastAnswerAtMs: Math.max(0, ...attempts.map((a) => a.answeredAtMs)),
    winners: latency(won),
    losers: latency(lost),
  };
}

export const ms = (value: number) => (Number.isFinite(value) ? `${value.toFixed(0)} ms` : '—');

/** An HTTP answer as an outcome: a clean refusal is a 4xx with a code; anything else is an error. */
export function httpOutcome(answer: { status: number; body: { code?: string } }): string {
  if (answer.status === 200) return 'booked';
  if (answer.status >= 400 && answer.status < 500 && answer.body.code) return `${answer.status} ${answer.body.code}`;
  return `error ${answer.status}`;
}
