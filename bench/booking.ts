/**
 * Booking latency and throughput over real HTTP against the real stack (embedded
 * PostgreSQL, a Temporal server, the worker, the API), with its two floors measured in the
 * same run: an empty Update-with-Start (what Temporal costs at the least) and the same
 * booking as one raw SQL transaction through `pg` (what the database costs at the least).
 * `--production` runs it all again against docker-compose.yml's Temporal server, built
 * from source on PostgreSQL (test/topology/temporal-server.ts). Prints figures; asserts nothing.
 *
 *   npx tsx bench/booking.ts [bookings=200] [--rounds=1] [--production]
 */
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../launcher/go-tools.js';
import { createBookingActivities } from '../activities/bookings.js';
import { query } from '../model/transaction.js';
import { startTemporalServer } from '../test/topology/temporal-server.js';
import { emitResults, loadAverage } from './report.js';
import { floorBooking } from './sql-booking.js';
import { coreMetricsUrl, startBenchStack, type BenchStackOptions } from './stack.js';
import { phase, type Summary } from './stats.js';
import { readCoreMetrics, workerTimesBetween, type WorkerTimes } from './worker-metrics.js';

const args = process.argv.slice(2);
const total = Number(args.find((arg) => /^\d+$/.test(arg)) ?? 200);
const rounds = Number(args.find((arg) => arg.startsWith('--rounds='))?.split('=')[1] ?? 1);
const production = args.includes('--production');
const CONCURRENCY = 32;

/** One round's figures, as the JSON line carries them (npm run bench reads them). */
export interface BookingRound {
  load: { before: string; after: string };
  read: Summary;
  pgRoundTrip: Summary;
  ormRoundTrip: Summary;
  sqlFloor: Summary;
  twoSteps: Summary;
  activity: Summary;
  empty: Summary;
  localActivity: Summary;
  withoutHttp: Summary;
  /** The same three phases as the worker timed them (means). */
  worker: { empty: WorkerTimes; localActivity: WorkerTimes; booking: WorkerTimes };
  booking: Summary;
  sqlFloorConcurrent: Summary;
  emptyConcurrent: Summary;
  localActivityConcurrent: Summary;
  activityConcurrent: Summary;
  withoutHttpConcurrent: Summary;
  bookingConcurrent: Summary;
  ratios: {
    p50OverEmpty: number;
    p50MinusEmptyMs: number;
    p50OverSql: number;
    throughputOfEmpty: number;
    throughputOfSql: number;
    /** The most a booking could do, of the empty's rate: the cores' time over the CPU of a no-op local activity's round and of the SQL floor. */
    throughputBoundOfEmpty: number;
  };
}

async function measure(label: string, temporal?: BenchStackOptions['temporal']) {
  const stack = await startBenchStack({ label, ...(temporal ? { temporal } : {}) });
  try {
    // Each client books once per phase that books: four app phases, two floor phases and three of the activities called directly a round.
    const clients = await stack.seedClients(total, 9 * rounds + 1);
    const activities = createBookingActivities({ orm: stack.orm, settings: stack.settings });
    const answers = new Map<string, number>();
    const count = (what: string) => answers.set(what, (answers.get(what) ?? 0) + 1);
    const book = async (clientIndex: number, sessionId: number) => {
      const answer = await stack.book(clients[clientIndex]!, sessionId);
      count(answer.status === 200 ? '200' : `${answer.status} ${answer.body.code ?? answer.body.message}`);
    };
    const floor = async (clientIndex: number, sessionId: number) => {
      count(`sql ${await floorBooking(stack.pool, clients[clientIndex]!.id, sessionId, `bench-floor-${sessionId}`)}`);
    };
    const read = async (i: number) => {
      const response = await fetch(`http://127.0.0.1:${stack.settings.port}/api/me/summary`, {
        headers: { authorization: `Bearer ${clients[i % clients.length]!.token}` },
      });
      await response.arrayBuffer();
      count(`read ${response.status}`);
    };

    // Warm-up: JIT, connection pools, the workflow cache, the bundle's first activations.
    const warm = await stack.seedSessions(20, 1);
    await phase('warm-up: booking', 10, 2, (i) => book(i, warm[i]!));
    await phase('warm-up: empty Update-with-Start', 10, 2, (i) => stack.emptyUpdateWithStart(1_000_000 + i));
    await phase('warm-up: one no-op local activity', 10, 2, (i) => stack.localActivityUpdateWithStart(1_000_000 + i));
    await phase('warm-up: SQL floor', 10, 2, (i) => floor(10 + i, warm[10 + i]!));
    answers.clear();

    console.log(`\n${label}: ${total} per phase, ${rounds} round(s), Temporal at ${stack.temporalAddress}`);
    const results: BookingRound[] = [];
    for (let round = 0; round < rounds; round += 1) {
      const sessions = await stack.seedSessions(9 * total, 1);
      const before = loadAverage();
      console.log(`round ${round + 1}, load average before ${before}`);
      const summary = await phase('GET /api/me/summary (database read)', total, 1, read);
      const pgRoundTrip = await phase(
        'one statement through pg (select 1)',
        total,
        1,
        async () => void (await stack.pool.query('select 1')),
      );
      const ormRoundTrip = await phase(
        'one statement through the ORM (select 1)',
        total,
        1,
        async () => void (await query(stack.orm, 'select 1')),
      );
      const sqlFloor = await phase('SQL floor: booking as one pg transaction', total, 1, (i) => floor(i, sessions[i]!));
      const twoSteps = await phase('reserveSeat + holdCredit called directly', total, 1, async (i) => {
        const sessionId = sessions[5 * total + i]!;
        const actor = { id: String(clients[i]!.id), role: 'client' } as const;
        const seat = await activities.reserveSeat({
          sessionId,
          clientId: clients[i]!.id,
          workflowId: `bench-direct-${sessionId}`,
          actor,
          complimentary: false,
        });
        await activities.holdCredit({ bookingId: seat.bookingId, clientId: clients[i]!.id, sessionId, actor });
      });
      const bookSeat = (i: number, sessionId: number) =>
        activities.bookSeat({
          sessionId,
          clientId: clients[i]!.id,
          workflowId: `bench-direct-${sessionId}`,
          actor: { id: String(clients[i]!.id), role: 'client' },
          complimentary: false,
        });
      const activity = await phase(
        'bookSeat activity called directly',
        total,
        1,
        async (i) => void (await bookSeat(i, sessions[4 * total + i]!)),
      );
      const readings = [await readCoreMetrics(coreMetricsUrl)];
      const empty = await phase('empty Update-with-Start', total, 1, (i) => stack.emptyUpdateWithStart(round * 10 * total + i));
      readings.push(await readCoreMetrics(coreMetricsUrl));
      const localActivity = await phase('Update-with-Start with one no-op local activity', total, 1, (i) =>
        stack.localActivityUpdateWithStart(round * 10 * total + i),
      );
      readings.push(await readCoreMetrics(coreMetricsUrl));
      const withoutHttp = await phase("the booking's workflow command, without HTTP", total, 1, (i) =>
        stack.bookWithoutHttp(clients[i]!, sessions[6 * total + i]!),
      );
      readings.push(await readCoreMetrics(coreMetricsUrl));
      const worker = {
        empty: workerTimesBetween(readings[0]!, readings[1]!, 'emptyUpdate'),
        localActivity: workerTimesBetween(readings[1]!, readings[2]!, 'localActivityUpdate'),
        booking: workerTimesBetween(readings[2]!, readings[3]!, 'bookToDeduct'),
      };
      const ms = (value: number | null) => `${(value ?? NaN).toFixed(1)} ms`;
      console.log(
        `in the worker, per task (means): the workflow task ${ms(worker.booking.workflowTaskMs)} for a booking, ` +
          `${ms(worker.localActivity.workflowTaskMs)} with one no-op local activity, ${ms(worker.empty.workflowTaskMs)} empty; ` +
          `bookSeat as its local activity ${ms(worker.booking.localActivityMs)}; completing the task ${ms(worker.booking.completeTaskCallMs)} ` +
          `against ${ms(worker.empty.completeTaskCallMs)} empty`,
      );
      const booking = await phase('POST book', total, 1, (i) => book(i, sessions[total + i]!));
      const sqlFloorConcurrent = await phase(`SQL floor, ${CONCURRENCY} concurrent`, total, CONCURRENCY, (i) =>
        floor(i, sessions[2 * total + i]!),
      );
      const emptyConcurrent = await phase(`empty Update-with-Start, ${CONCURRENCY} concurrent`, total, CONCURRENCY, (i) =>
        stack.emptyUpdateWithStart(round * 10 * total + total + i),
      );
      const localActivityConcurrent = await phase(`one no-op local activity, ${CONCURRENCY} concurrent`, total, CONCURRENCY, (i) =>
        stack.localActivityUpdateWithStart(round * 10 * total + total + i),
      );
      const activityConcurrent = await phase(`bookSeat called directly, ${CONCURRENCY} concurrent`, total, CONCURRENCY, async (i) => {
        await bookSeat(i, sessions[8 * total + i]!);
      });
      const withoutHttpConcurrent = await phase(`the workflow command, without HTTP, ${CONCURRENCY} concurrent`, total, CONCURRENCY, (i) =>
        stack.bookWithoutHttp(clients[i]!, sessions[7 * total + i]!),
      );
      const bookingConcurrent = await phase(`POST book, ${CONCURRENCY} concurrent`, total, CONCURRENCY, (i) =>
        book(i, sessions[3 * total + i]!),
      );
      // A booking does at least an Update-with-Start with a local activity and the SQL of a
      // booking, each on these same cores: its rate can be no more than their time per booking allows.
      const bookingCpuAtLeastMs = localActivityConcurrent.cpuMsPerOp! + sqlFloorConcurrent.cpuMsPerOp!;
      const throughputBound = (os.cpus().length * 1000) / bookingCpuAtLeastMs;
      const ratios = {
        p50OverEmpty: booking.p50 / empty.p50,
        p50MinusEmptyMs: booking.p50 - empty.p50,
        p50OverSql: booking.p50 / sqlFloor.p50,
        throughputOfEmpty: bookingConcurrent.perSecond! / emptyConcurrent.perSecond!,
        throughputOfSql: bookingConcurrent.perSecond! / sqlFloorConcurrent.perSecond!,
        throughputBoundOfEmpty: throughputBound / emptyConcurrent.perSecond!,
      };
      const after = loadAverage();
      console.log(
        `booking p50 ${booking.p50.toFixed(1)} ms = empty Update-with-Start + ${ratios.p50MinusEmptyMs.toFixed(1)} ms (${ratios.p50OverEmpty.toFixed(2)}x), ` +
          `${ratios.p50OverSql.toFixed(1)}x the SQL floor; at ${CONCURRENCY} concurrent ${(100 * ratios.throughputOfEmpty).toFixed(0)} % of the empty ` +
          `Update-with-Start's throughput, ${(100 * ratios.throughputOfSql).toFixed(0)} % of the SQL floor's (load average after ${after})`,
      );
      console.log(
        `a booking's CPU is at least a no-op local activity's round (${localActivityConcurrent.cpuMsPerOp!.toFixed(1)} ms) and the SQL floor's ` +
          `(${sqlFloorConcurrent.cpuMsPerOp!.toFixed(1)} ms): at most ${throughputBound.toFixed(1)}/s on ${os.cpus().length} cores, ` +
          `${(100 * ratios.throughputBoundOfEmpty).toFixed(0)} % of the empty Update-with-Start's rate; the booking itself took ${bookingConcurrent.cpuMsPerOp!.toFixed(1)} ms`,
      );
      const cpu = (summary: Summary) => summary.cpuMsPerOp!;
      console.log(
        `where the booking's CPU goes, at ${CONCURRENCY} concurrent: the API's path ${(cpu(bookingConcurrent) - cpu(withoutHttpConcurrent)).toFixed(1)} ms, ` +
          `the workflow beyond a no-op local activity and bookSeat ${(cpu(withoutHttpConcurrent) - cpu(localActivityConcurrent) - cpu(activityConcurrent)).toFixed(1)} ms, ` +
          `bookSeat beyond the SQL floor ${(cpu(activityConcurrent) - cpu(sqlFloorConcurrent)).toFixed(1)} ms`,
      );
      results.push({
        load: { before, after },
        read: summary,
        pgRoundTrip,
        ormRoundTrip,
        sqlFloor,
        twoSteps,
        activity,
        empty,
        localActivity,
        withoutHttp,
        worker,
        booking,
        sqlFloorConcurrent,
        emptyConcurrent,
        localActivityConcurrent,
        activityConcurrent,
        withoutHttpConcurrent,
        bookingConcurrent,
        ratios,
      });
    }
    const outcomes = Object.fromEntries([...answers].sort());
    console.log(`answers: ${JSON.stringify(outcomes)}`);
    return { temporal: label, rounds: results, outcomes };
  } finally {
    await stack.stop();
  }
}

const runs = [await measure('dev server')];
if (production) {
  runs.push(
    await measure('Temporal server (production build)', async (postgres, workDir) => {
      const server = await startTemporalServer({ postgres, workDir, log: (line) => console.log(`  ${line}`) });
      // Its namespace and search attributes, as compose's temporal-init (npm run temporal:setup) makes them.
      const setup = spawnSync(process.execPath, ['--import', 'tsx', 'worker/temporal-setup.ts'], {
        cwd: projectRoot,
        env: { ...process.env, TEMPORAL_ADDRESS: server.address, DATA_DIR: path.join(workDir, 'setup') },
        encoding: 'utf8',
      });
      if (setup.status !== 0) {
        await server.stop();
        throw new Error(`npm run temporal:setup failed:\n${setup.stdout}${setup.stderr}`);
      }
      return server;
    }),
  );
}
emitResults('booking', { perPhase: total, concurrency: CONCURRENCY, runs });
process.exit(0);
