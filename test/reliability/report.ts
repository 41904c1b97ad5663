import os from 'node:os';
import { percentile } from '../../bench/stats.js';
import type { Orm } from '../../model/orm.js';
import { ledgerViolations } from '../support/ledger-checks.js';

/** What one scenario did and found: every figure it prints, and every invariant it checked with what broke it. */
export interface ScenarioReport {
  name: string;
  attempts: number;
  /** HTTP answers by status and code (`200`, `409 SESSION_FULL`, `timeout`). */
  outcomes: Record<string, number>;
  seconds: number;
  figures: Record<string, string | number>;
  checks: InvariantCheck[];
}

export interface InvariantCheck {
  check: string;
  /** Rows or requests that break it; 0 when it holds. */
  violations: number;
  /** A few of them, to start the investigation. */
  examples: unknown[];
}

export const violated = (report: ScenarioReport) => report.checks.filter((check) => check.violations > 0);

export function invariant(check: string, offenders: unknown[]): InvariantCheck {
  return { check, violations: offenders.length, examples: offenders.slice(0, 3) };
}

/** The ledger's own invariants (test/support/ledger-checks.ts), as checks. */
export async function ledgerChecks(orm: Orm): Promise<InvariantCheck[]> {
  return Object.entries(await ledgerViolations(orm)).map(([check, rows]) => invariant(check, rows));
}

export function tally(outcomes: Record<string, number>, outcome: string): void {
  outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;
}

/** `p50 12.3 ms, p99 45.6 ms, max 78.9 ms` of unsorted samples. */
export function latencies(samples: number[]): string {
  const sorted = [...samples].sort((a, b) => a - b);
  const ms = (value: number | undefined) => `${(value ?? Number.NaN).toFixed(1)} ms`;
  return `p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}, max ${ms(sorted.at(-1))}`;
}

export const loadAverage = () =>
  os
    .loadavg()
    .map((value) => value.toFixed(2))
    .join(' / ');

export function printReport(report: ScenarioReport, print: (line: string) => void = console.log): void {
  print(`\n== ${report.name}: ${report.attempts} attempts in ${report.seconds.toFixed(1)} s (load average ${loadAverage()})`);
  const outcomes = Object.entries(report.outcomes).sort(([a], [b]) => a.localeCompare(b));
  print(`   outcomes: ${outcomes.map(([outcome, count]) => `${outcome} × ${count}`).join(', ')}`);
  for (const [name, value] of Object.entries(report.figures)) print(`   ${name}: ${value}`);
  for (const check of report.checks) {
    const mark = check.violations === 0 ? 'ok  ' : 'FAIL';
    const examples = check.violations === 0 ? '' : ` e.g. ${JSON.stringify(check.examples)}`;
    print(`   [${mark}] ${check.check}: ${check.violations} violations${examples}`);
  }
}
