import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Settings } from '../../config/settings.js';
import { atNiceness } from '../../launcher/niceness.js';
import { workflowStackTracePreload } from '../../worker/stack-trace-preload.js';

const root = path.resolve(import.meta.dirname, '..', '..');

/** How a spawned entry point runs, beyond its settings. */
export interface RunOptions {
  /** For node itself (a benchmark's `--cpu-prof`, which NODE_OPTIONS refuses). */
  nodeArgs?: string[];
  /** Below the request path's priority (a benchmark's background work). */
  niceness?: number;
}

/**
 * A production entry point (`npm run worker`, `npm run api`) in its own process, so a test
 * can kill it with SIGKILL mid-flight: a real crash, not a graceful shutdown.
 */
async function spawnEntryPoint(
  entry: string,
  ready: string,
  settings: Settings,
  env: Record<string, string> = {},
  { nodeArgs = [], niceness }: RunOptions = {},
): Promise<ChildProcess> {
  // Node itself with tsx as a loader: one process, so SIGKILL really kills it
  // (the tsx wrapper binary would die alone and leave its child running; `nice` execs it).
  const child = spawn(...atNiceness(niceness, process.execPath, [...nodeArgs, '--import', 'tsx', entry]), {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: settings.databaseUrl!,
      TEMPORAL_ADDRESS: settings.temporal.address!,
      TEMPORAL_TASK_QUEUE: settings.temporal.taskQueue,
      DATA_DIR: settings.dataDir,
      JWT_SECRET: settings.jwtSecret,
      STRIPE_WEBHOOK_SECRET: settings.stripe.webhookSecret,
      SMTP_URL: settings.mail.smtpUrl ?? '',
      WORKFLOW_BUNDLE: settings.temporal.workflowBundlePath ?? '',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let onData = (_chunk: Buffer) => {};
  await new Promise<void>((resolve, reject) => {
    onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(ready)) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`${entry} exited (${code}) before it was ready:\n${output}`)));
  });
  // Ready: stop collecting and rescanning the output (a benchmark's API writes megabytes of
  // request lines), but keep reading it, so a full pipe never blocks the child.
  child.stdout!.off('data', onData).resume();
  child.stderr!.off('data', onData).resume();
  output = '';
  return child;
}

/** As `npm run worker` runs it: with the preload that decides on workflow stack traces. */
export const spawnWorker = (settings: Settings, env: Record<string, string> = {}, run: RunOptions = {}) =>
  spawnEntryPoint('worker/main.ts', 'worker polling', settings, env, {
    ...run,
    nodeArgs: [...workflowStackTracePreload, ...(run.nodeArgs ?? [])],
  });

/** An API instance on `port`, talking to the same database and Temporal as the test's stack. */
export const spawnApi = (settings: Settings, port: number, env: Record<string, string> = {}, run: RunOptions = {}) =>
  spawnEntryPoint('api/main.ts', 'Server listening', settings, { ...env, PORT: String(port), HOST: '127.0.0.1' }, run);

export function crash(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
