/**
 * `npm run bench`: every benchmark, one after another (each in its own process, as each
 * runs alone), then one table of the headline figures and their ratios to the floors
 * measured in the same run, written with every benchmark's figures and output to
 * bench/results/<date>.json (committed: the README's Performance section is read from it).
 * Prints figures; asserts nothing. Exits non-zero only when a benchmark itself fails.
 *
 *   npm run bench [-- --quick]      (--quick: fewer per phase, for a smoke run; its JSON goes to the temp folder)
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../launcher/go-tools.js';
import { workflowStackTracePreload } from '../worker/stack-trace-preload.js';
import type { BookingRound } from './booking.js';
import type { ServerAcks, WebhookFigures } from './purchase-webhook.js';
import { loadAverage, RESULT_PREFIX } from './report.js';

const quick = process.argv.includes('--quick');
const benchmarks: Array<{ name: string; file: string; args: string[]; env?: Record<string, string> }> = [
  { name: 'booking', file: 'bench/booking.ts', args: [quick ? '50' : '200', '--production'] },
  { name: 'rush', file: 'bench/rush.ts', args: [] },
  { name: 'baseline', file: 'bench/baseline.ts', args: [] },
  { name: 'lists', file: 'bench/console-lists.ts', args: quick ? ['50', '2000'] : [] },
  { name: 'webhook', file: 'bench/purchase-webhook.ts', args: quick ? ['50'] : [] },
  // The same with the host's background work yielding to the API and PostgreSQL (see the README's Scaling out).
  {
    name: 'webhook, worker and Temporal at nice 10',
    file: 'bench/purchase-webhook.ts',
    args: quick ? ['50'] : [],
    env: { BENCH_BACKGROUND_NICENESS: '10' },
  },
  { name: 'reads', file: 'bench/reads.ts', args: [] },
];

interface Outcome {
  name: string;
  exitCode: number | null;
  seconds: number;
  results: Array<Record<string, unknown>>;
  output: string;
}

function runBenchmark(
  file: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ exitCode: number | null; output: string }> {
  return new Promise((resolve) => {
    // A benchmark's worker runs as `npm run worker` runs one: with the stack-trace preload.
    const child = spawn(process.execPath, [...workflowStackTracePreload, '--import', 'tsx', file, ...args], {
      cwd: projectRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
for (const { name, file, args, env } of benchmarks) {
  if (!existsSync(path.join(projectRoot, file))) {
    console.log(`\n=== ${name}: skipped, ${file} does not exist in this checkout`);
    continue;
  }
  const settings = Object.entries(env ?? {}).map(([key, value]) => `${key}=${value} `);
  console.log(`\n=== ${name}: ${settings.join('')}${file} ${args.join(' ')} (load average ${loadAverage()})`);
  const began = performance.now();
  const { exitCode, output } = await runBenchmark(file, args, env);
  const results = output
    .split('\n')
    .filter((line) => line.startsWith(RESULT_PREFIX))
    .map((line) => JSON.parse(line.slice(RESULT_PREFIX.length)) as Record<string, unknown>);
  outcomes.push({ name, exitCode, seconds: (performance.now() - began) / 1000, results, output });
}

/**
 * The headline rows: what each goal of issue #12 asks, the figure, the goal and whether
 * this run met it, and the floor measured beside it.
 */
type Row = [name: string, figure: string, goal: string, against: string];
const rows: Row[] = [];
const f1 = (value: number) => value.toFixed(1);
const pct = (value: number) => `${(100 * value).toFixed(0)} %`;
const verdict = (goal: string, met: boolean) => `${goal}: ${met ? 'met' : 'not met'}`;
type Summary = { p50: number; p99: number; perSecond?: number; cpuMsPerOp?: number };
const inApi = (acks: ServerAcks | undefined) => (acks ? `; in the API ${acks.within20msPct.toFixed(0)} % within 20 ms` : '');

for (const outcome of outcomes) {
  const [result] = outcome.results;
  if (!result) {
    rows.push([outcome.name, outcome.exitCode === 0 ? 'ran (figures in its output)' : `FAILED (exit ${outcome.exitCode})`, '', '']);
    continue;
  }
  if (result.bench === 'booking') {
    for (const run of result.runs as Array<{ temporal: string; rounds: BookingRound[]; outcomes: Record<string, number> }>) {
      const round = run.rounds.at(-1)!;
      rows.push([
        `booking p50, 1 client (${run.temporal})`,
        `${f1(round.booking.p50)} ms`,
        verdict('within 10 ms of the empty Update-with-Start', round.ratios.p50MinusEmptyMs <= 10),
        `empty Update-with-Start ${f1(round.empty.p50)} ms (+${f1(round.ratios.p50MinusEmptyMs)} ms, ${round.ratios.p50OverEmpty.toFixed(2)}x); with a no-op local activity ${f1(round.localActivity.p50)} ms; the workflow command without HTTP ${f1(round.withoutHttp.p50)} ms; SQL floor ${f1(round.sqlFloor.p50)} ms (${f1(round.ratios.p50OverSql)}x)`,
      ]);
      rows.push([
        `booking throughput, 32 clients (${run.temporal})`,
        `${f1(round.bookingConcurrent.perSecond!)}/s`,
        verdict("≥ 90 % of the empty Update-with-Start's", round.ratios.throughputOfEmpty >= 0.9),
        `empty ${f1(round.emptyConcurrent.perSecond!)}/s (${pct(round.ratios.throughputOfEmpty)}); SQL floor ${f1(round.sqlFloorConcurrent.perSecond!)}/s (${pct(round.ratios.throughputOfSql)}); ` +
          `CPU per booking ${f1(round.bookingConcurrent.cpuMsPerOp!)} ms, at least ${f1(round.localActivityConcurrent.cpuMsPerOp! + round.sqlFloorConcurrent.cpuMsPerOp!)} ms ` +
          `(a no-op local activity's round and the SQL floor): at most ${pct(round.ratios.throughputBoundOfEmpty)} of the empty's rate`,
      ]);
      // A refusal is a clean 4xx; an error is a 5xx.
      const errors = Object.keys(run.outcomes).filter((answer) => /^(read )?5\d\d/.test(answer));
      const answered = Object.values(run.outcomes).reduce((sum, count) => sum + count, 0);
      rows.push([
        `booking answers (${run.temporal})`,
        `${answered} answers`,
        verdict('0 errors, clean 4xx', errors.length === 0),
        JSON.stringify(run.outcomes),
      ]);
    }
  } else if (result.bench === 'rush') {
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
      verdict('0 oversells, 0 errors', r.oversells.seats === 0 && r.oversells.credits === 0 && result.errors === 0),
      `${r.booked} booked, oversells ${r.oversells.seats}, loser p99 ${losers.toFixed(0)} ms, errors ${String(result.errors)}`,
    ]);
  } else if (result.bench === 'baseline') {
    for (const entry of result.results as Array<{
      scenario: string;
      booking: string;
      figures: { booked: number };
      oversells: { seats: number; credits: number };
    }>) {
      rows.push([
        `${entry.scenario}, ${entry.booking === 'seed' ? "seed's check-then-decrement" : 'this booking'}`,
        `${entry.figures.booked} booked`,
        entry.booking === 'seed' ? '(the contrast)' : verdict('0 oversells', entry.oversells.seats + entry.oversells.credits === 0),
        `oversells: ${entry.oversells.seats} seats, ${entry.oversells.credits} credits`,
      ]);
    }
  } else if (result.bench === 'lists') {
    const { clients, entries, lists } = result as { clients: number; entries: number; lists: Array<Summary & { list: string }> };
    for (const list of lists) {
      rows.push([
        `console list: ${list.list}`,
        `p99 ${f1(list.p99)} ms`,
        verdict('p99 ≤ 100 ms', list.p99 <= 100),
        `p50 ${f1(list.p50)} ms (server time), at ${clients} clients and ${entries} ledger entries`,
      ]);
    }
  } else if (result.bench === 'reads') {
    const [floor, ...reads] = result.reads as Array<{ read: string; oneClient: Summary; concurrent: Summary & { perSecond: number } }>;
    for (const read of reads) {
      rows.push([
        `${read.read}: p50 at 1, req/s at 32`,
        `${read.oneClient.p50.toFixed(2)} ms, ${read.concurrent.perSecond.toFixed(0)}/s`,
        verdict('p50 ≤ 5 ms and ≥ 1,000 req/s', read.oneClient.p50 <= 5 && read.concurrent.perSecond >= 1000),
        `${floor!.read} ${floor!.oneClient.p50.toFixed(2)} ms, ${floor!.concurrent.perSecond.toFixed(0)}/s (${pct(read.concurrent.perSecond / floor!.concurrent.perSecond)})`,
      ]);
    }
  } else if (result.bench === 'webhook') {
    const w = result as unknown as WebhookFigures;
    const at = w.backgroundNiceness ? ` (worker and Temporal at nice ${w.backgroundNiceness})` : '';
    const one = w.inFlight.find((phase) => phase.concurrency === 1);
    for (const phase of w.inFlight.filter((each) => each.concurrency > 1)) {
      rows.push([
        `webhook ack p99, ${phase.concurrency} in flight${at}`,
        `${f1(phase.ack.p99)} ms`,
        verdict('≤ 20 ms', phase.ack.p99 <= 20),
        `p50 ${f1(phase.ack.p50)} ms${inApi(phase.serverAcks)}; 1 in flight p99 ${one ? `${f1(one.ack.p99)} ms` : 'not run'}; ${f1(phase.perSecond)} purchases/s`,
      ]);
    }
    if (w.openLoop) {
      rows.push([
        `webhook credit visible p99, ${w.openLoop.offered}/s offered${at}`,
        `${f1(w.openLoop.visible.p99)} ms`,
        verdict('≤ 1 s', w.openLoop.visible.p99 <= 1000),
        `${f1(w.openLoop.achieved)}/s achieved; credit visible p50 ${f1(w.openLoop.visible.p50)} ms; ack p99 ${f1(w.openLoop.ack.p99)} ms`,
      ]);
    }
    if (w.temporalDown) {
      const down = w.temporalDown;
      rows.push([
        `webhook with Temporal killed${at}`,
        `${down.acked} of ${down.sent} acked`,
        verdict('nothing lost', down.acked === down.sent && down.credited === down.sent),
        `${down.stored} stored while it was down; all credited ${f1(down.creditedAfterBackSeconds)} s after its restart`,
      ]);
    }
    rows.push([
      `webhook ledger check${at}`,
      `${w.check.grants} grants for ${w.check.purchases} purchases`,
      verdict('one grant each, 0 balances off', w.check.grants === w.check.purchases && w.check.drift === 0),
      `${w.check.drift} balances off their ledger`,
    ]);
  } else {
    rows.push([outcome.name, 'ran', '', JSON.stringify(result).slice(0, 120)]);
  }
}

console.log(`\n=== npm run bench: ${os.cpus().length} cores, load average now ${loadAverage()}`);
const width = Math.max(...rows.map(([name]) => name.length));
const goalWidth = Math.max(...rows.map(([, , goal]) => goal.length));
for (const [name, value, goal, against] of rows) {
  console.log(`${name.padEnd(width)}  ${value.padStart(22)}  ${goal.padEnd(goalWidth)}  ${against}`);
}

// A smoke run's smaller phases are not the day's figures: its JSON goes to the temp folder, not over the committed file.
const day = startedAt.toISOString().slice(0, 10);
const file = quick ? path.join(os.tmpdir(), `studio-bench-quick-${day}.json`) : path.join(projectRoot, 'bench', 'results', `${day}.json`);
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
        // A benchmark that printed no JSON line (one that failed) keeps the end of its output here.
        ...(results.length === 0 ? { output: output.split('\n').slice(-60).join('\n') } : {}),
      })),
    },
    null,
    2,
  )}\n`,
);
console.log(`\nwritten to ${quick ? file : path.relative(projectRoot, file)}`);
process.exit(outcomes.every((outcome) => outcome.exitCode === 0) ? 0 : 1);
