/**
 * `npm run bench`: every benchmark, one after another (each in its own process, as each
 * runs alone), then one table of the headline figures and their ratios to the floors
 * measured in the same run, written with every benchmark's figures and output to
 * bench/results/<date>.json (committed: the README's Performance section is read from it).
 * Prints figures; asserts nothing. Exits non-zero only when a benchmark itself fails.
 *
 *   npm run bench [-- --quick]      (--quick: fewer bookings per phase, for a smoke run)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../launcher/go-tools.js';
import { loadAverage, RESULT_PREFIX } from './report.js';

const quick = process.argv.includes('--quick');
const benchmarks: Array<{ name: string; file: string; args: string[] }> = [
  { name: 'booking', file: 'bench/booking.ts', args: [quick ? '50' : '200', '--production'] },
  { name: 'rush', file: 'bench/rush.ts', args: [] },
  { name: 'baseline', file: 'bench/baseline.ts', args: [] },
  { name: 'lists', file: 'bench/console-lists.ts', args: quick ? ['50', '2000'] : [] },
  { name: 'webhook', file: 'bench/purchase-webhook.ts', args: quick ? ['50'] : [] },
  { name: 'reads', file: 'bench/reads.ts', args: [] },
];

interface Outcome {
  name: string;
  exitCode: number | null;
  seconds: number;
  results: Array<Record<string, unknown>>;
  output: string;
}

function runBenchmark(file: string, args: string[]): Promise<{ exitCode: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', file, ...args], { cwd: projectRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    const take = (chunk: Buffer, to: NodeJS.WriteStream) => {
      output += chunk.toString();
      to.write(chunk.toString().replaceAll(new RegExp(`^${RESULT_PREFIX}.*$\\n?`, 'gm'), ''));
    };
    child.stdout.on('data', (chunk: Buffer) => take(chunk, process.stdout));
    child.stderr.on('data', (chunk: Buffer) => take(chunk, process.stderr));
    child.on('close', (exitCode) => resolve({ exitCode, output }));
  });
}

const startedAt = new Date();
const outcomes: Outcome[] = [];
for (const { name, file, args } of benchmarks) {
  if (!existsSync(path.join(projectRoot, file))) {
    console.log(`\n=== ${name}: skipped, ${file} does not exist in this checkout`);
    continue;
  }
  console.log(`\n=== ${name}: ${file} ${args.join(' ')} (load average ${loadAverage()})`);
  const began = performance.now();
  const { exitCode, output } = await runBenchmark(file, args);
  const results = output
    .split('\n')
    .filter((line) => line.startsWith(RESULT_PREFIX))
    .map((line) => JSON.parse(line.slice(RESULT_PREFIX.length)) as Record<string, unknown>);
  outcomes.push({ name, exitCode, seconds: (performance.now() - began) / 1000, results, output });
}

/** The headline rows: what each goal of issue #12 asks, against the floor measured beside it. */
const rows: Array<[string, string, string]> = [];
const f1 = (value: number) => value.toFixed(1);
const pct = (value: number) => `${(100 * value).toFixed(0)} %`;
type Summary = { p50: number; p99: number; perSecond?: number };
type BookingRound = Record<
  'sqlFloor' | 'empty' | 'localActivity' | 'withoutHttp' | 'booking' | 'sqlFloorConcurrent' | 'emptyConcurrent' | 'bookingConcurrent',
  Summary
> & {
  ratios: { p50OverEmpty: number; p50MinusEmptyMs: number; p50OverSql: number; throughputOfEmpty: number; throughputOfSql: number };
};
for (const outcome of outcomes) {
  const [result] = outcome.results;
  if (!result) {
    rows.push([outcome.name, outcome.exitCode === 0 ? 'ran (figures in its output)' : `FAILED (exit ${outcome.exitCode})`, '']);
    continue;
  }
  if (outcome.name === 'booking') {
    for (const run of result.runs as Array<{ temporal: string; rounds: BookingRound[]; outcomes: Record<string, number> }>) {
      const round = run.rounds.at(-1)!;
      rows.push([
        `booking p50, 1 client (${run.temporal})`,
        `${f1(round.booking.p50)} ms`,
        `empty Update-with-Start ${f1(round.empty.p50)} ms (+${f1(round.ratios.p50MinusEmptyMs)} ms, ${round.ratios.p50OverEmpty.toFixed(2)}x); with a no-op local activity ${f1(round.localActivity.p50)} ms; the workflow command without HTTP ${f1(round.withoutHttp.p50)} ms; SQL floor ${f1(round.sqlFloor.p50)} ms (${f1(round.ratios.p50OverSql)}x)`,
      ]);
      rows.push([
        `booking throughput, 32 clients (${run.temporal})`,
        `${f1(round.bookingConcurrent.perSecond!)}/s`,
        `empty ${f1(round.emptyConcurrent.perSecond!)}/s (${pct(round.ratios.throughputOfEmpty)}); SQL floor ${f1(round.sqlFloorConcurrent.perSecond!)}/s (${pct(round.ratios.throughputOfSql)})`,
      ]);
      rows.push([`booking answers (${run.temporal})`, JSON.stringify(run.outcomes), '']);
    }
  } else if (outcome.name === 'rush') {
    const r = result as {
      booked: number;
      seats: number;
      clients: number;
      lastBookedAtMs: number;
      oversells: { seats: number; credits: number };
    };
    const losers = (result.losers as Summary).p99;
    rows.push([
      `release rush: ${r.clients} clients, ${r.seats} seats`,
      `sold out in ${r.lastBookedAtMs.toFixed(0)} ms`,
      `${r.booked} booked, oversells ${r.oversells.seats}, loser p99 ${losers.toFixed(0)} ms, errors ${String(result.errors)}`,
    ]);
  } else if (outcome.name === 'baseline') {
    for (const entry of result.results as Array<{
      scenario: string;
      booking: string;
      figures: { booked: number };
      oversells: { seats: number; credits: number };
    }>) {
      rows.push([
        `${entry.scenario}, ${entry.booking === 'seed' ? "seed's check-then-decrement" : 'this booking'}`,
        `${entry.figures.booked} booked`,
        `oversells: ${entry.oversells.seats} seats, ${entry.oversells.credits} credits`,
      ]);
    }
  } else {
    rows.push([outcome.name, 'ran', JSON.stringify(result).slice(0, 120)]);
  }
}

console.log(`\n=== npm run bench: ${os.cpus().length} cores, load average now ${loadAverage()}`);
const width = Math.max(...rows.map(([name]) => name.length));
for (const [name, value, against] of rows) console.log(`${name.padEnd(width)}  ${value.padStart(22)}  ${against}`);

const file = path.join(projectRoot, 'bench', 'results', `${startedAt.toISOString().slice(0, 10)}.json`);
await mkdir(path.dirname(file), { recursive: true });
await writeFile(
  file,
  `${JSON.stringify(
    {
      startedAt: startedAt.toISOString(),
      machine: { cores: os.cpus().length, cpu: os.cpus()[0]?.model, memoryGb: Math.round(os.totalmem() / 2 ** 30), node: process.version },
      table: rows,
      benchmarks: outcomes.map(({ name, exitCode, seconds, results, output }) => ({
        name,
        exitCode,
        seconds: Math.round(seconds),
        results,
        // Benchmarks without a JSON line (lists, webhook) keep their printed figures here.
        ...(results.length === 0 ? { output: output.split('\n').slice(-60).join('\n') } : {}),
      })),
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwritten to ${path.relative(projectRoot, file)}`);
process.exit(outcomes.every((outcome) => outcome.exitCode === 0) ? 0 : 1);
