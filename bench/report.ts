import os from 'node:os';

/**
 * How a benchmark hands its figures on: a table for the reader, and one `BENCH_JSON` line
 * that `npm run bench` (bench/all.ts) collects into bench/results/. The machine is shared,
 * so the load average is printed beside every phase.
 */
export const RESULT_PREFIX = 'BENCH_JSON ';

export function loadAverage(): string {
  return os
    .loadavg()
    .map((value) => value.toFixed(1))
    .join(' / ');
}

export function emitResults(bench: string, figures: Record<string, unknown>): void {
  console.log(`${RESULT_PREFIX}${JSON.stringify({ bench, cores: os.cpus().length, loadavg: os.loadavg(), ...figures })}`);
}
