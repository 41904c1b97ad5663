/**
 * `npm run test:reliability [payments=1000] [attempts=10000] [inFlight=200]`: the
 * reliability suite at full size against real processes (PostgreSQL, the Temporal dev
 * server, the worker and the API, each its own process, so kill -9 is real). Prints every
 * figure and each invariant's violations; exits non-zero when any invariant broke.
 * The same scenarios run at a short size in `npm test` (reliability.test.ts).
 */
import os from 'node:os';
import path from 'node:path';
import { findMailpit, startMailpit } from '../../launcher/mailpit.js';
import { bookingRace } from './booking-race.js';
import { crash } from './crash.js';
import { printReport, violated, type ScenarioReport } from './report.js';
import { FULL, withOverrides } from './sizes.js';
import { startSystem } from './system.js';
import { webhookChaos } from './webhook-chaos.js';

const began = performance.now();
const say = (line: string) => console.log(`[${((performance.now() - began) / 1000).toFixed(1).padStart(6)}s] ${line}`);
const sizes = withOverrides(FULL, process.argv.slice(2));
say(`sizes: ${JSON.stringify(sizes)}`);
say(
  `machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}, load average ${os
    .loadavg()
    .map((v) => v.toFixed(2))
    .join(' / ')}`,
);

let smtpUrl = process.env.SMTP_URL;
let stopMailpit = async () => {};
if (!smtpUrl) {
  const mailpit = await findMailpit({ binaryPath: process.env.MAILPIT_PATH, log: say });
  if (!mailpit) throw new Error('the worker needs an SMTP server: set SMTP_URL or MAILPIT_PATH, or install Go to build Mailpit');
  const running = await startMailpit(mailpit.path);
  smtpUrl = running.smtpUrl;
  stopMailpit = running.stop;
}
const system = await startSystem({
  smtpUrl,
  answerBudgetMs: sizes.crash.answerBudgetMs,
  log: say,
  logsDir: path.join(os.tmpdir(), `studio-reliability-logs-${new Date().toISOString().replaceAll(':', '-')}`),
});
// Interrupted, it still takes its processes down: they would otherwise outlive it and keep their ports.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    say(`${signal}: stopping every process of the system`);
    void Promise.allSettled([system.close(), stopMailpit()]).then(() => process.exit(130));
  });
}
const reports: ScenarioReport[] = [];
try {
  reports.push(await webhookChaos(system, sizes.webhook));
  printReport(reports.at(-1)!);
  reports.push(await bookingRace(system, sizes.race));
  printReport(reports.at(-1)!);
  for (const target of ['worker', 'temporal', 'postgres'] as const) {
    reports.push(await crash(system, target, sizes.crash));
    printReport(reports.at(-1)!);
  }
} finally {
  await system.close();
  await stopMailpit();
}
const broken = reports.flatMap((report) => violated(report).map((check) => `${report.name}: ${check.check} (${check.violations})`));
const checks = reports.reduce((sum, report) => sum + report.checks.length, 0);
console.log(
  `\n${reports.length} scenarios, ${checks} invariant checks, ${broken.length} broken, in ${((performance.now() - began) / 1000).toFixed(0)} s`,
);
for (const line of broken) console.log(`  BROKEN ${line}`);
process.exit(broken.length > 0 ? 1 : 0);
