/**
 * The app as it is deployed, for the benchmarks: Mailpit for the worker's outbox, then
 * `npm run worker` with a prebuilt workflow bundle (as the image runs it) and `npm run api`
 * (API_PROCESSES processes), each its own process, spawned as the reliability suite spawns
 * them. The benchmark's own process only generates the load, so its figures are not the
 * load generator's.
 */
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { loadSettings, type Settings } from '../config/settings.js';
import { findMailpit, startMailpit } from '../launcher/mailpit.js';
import { spawnApi, spawnWorker } from '../test/support/worker-process.js';
import { buildWorkflowBundle } from '../worker/workflow-bundle.js';

export interface DeployedAppOptions {
  /** A work directory of the benchmark's own. */
  root: string;
  /** What the processes' settings are read from: DATABASE_URL, TEMPORAL_ADDRESS, PORT, the secrets… */
  env: Record<string, string>;
  apiProcesses?: string;
  /** For node itself in both processes (a benchmark's `--cpu-prof`). */
  nodeArgs?: string[];
  /** The worker's, below the API's: what a host running both would give its background work. */
  workerNiceness?: number;
  log: (line: string) => void;
  /** Where its stops go, in start order; the caller runs them in reverse. */
  stops: Array<() => Promise<unknown>>;
}

export interface DeployedApp {
  settings: Settings;
  /** One line saying what ran where, for the benchmark's output. */
  topology: string;
}

// A CPU profile is written when a process exits on its own, so these stop with SIGTERM.
const stopGracefully = (child: ChildProcess) => async () => {
  if (child.exitCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await exited;
};

export async function startDeployedApp(options: DeployedAppOptions): Promise<DeployedApp> {
  const { root, log, stops } = options;
  const apiProcesses = options.apiProcesses ?? '1';
  const mailpit = await findMailpit({ binaryPath: process.env.MAILPIT_PATH, log });
  if (!mailpit) throw new Error('the worker needs an SMTP server: set MAILPIT_PATH, or install Go to build Mailpit');
  const mail = await startMailpit(mailpit.path);
  stops.push(() => mail.stop());
  const workflowBundle = path.join(root, 'workflows.js');
  await writeFile(workflowBundle, await buildWorkflowBundle(log));
  const settings = loadSettings({ ...options.env, WORKFLOW_BUNDLE: workflowBundle, SMTP_URL: mail.smtpUrl });
  const nodeArgs = options.nodeArgs ?? [];
  // The settings a spawned process is not handed by name travel in its environment.
  const [worker, api] = await Promise.all([
    spawnWorker(settings, options.env, { nodeArgs, niceness: options.workerNiceness }),
    spawnApi(settings, settings.port, { ...options.env, API_PROCESSES: apiProcesses }, { nodeArgs }),
  ]);
  stops.push(stopGracefully(worker), stopGracefully(api));
  const workerPriority = options.workerNiceness ? ` at nice ${options.workerNiceness}` : '';
  return {
    settings,
    topology: `API: ${apiProcesses} process(es) (npm run api), worker: 1 process${workerPriority} (npm run worker, prebuilt bundle), load generator: this process`,
  };
}
