import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import type { Settings } from '../../config/settings.js';

const root = path.resolve(import.meta.dirname, '..', '..');

/**
 * The production worker entry point (`npm run worker`) in its own process, so a test can
 * kill it with SIGKILL mid-flight: a real crash, not a graceful shutdown.
 */
export async function spawnWorker(settings: Settings): Promise<ChildProcess> {
  // Node itself with tsx as a loader: one process, so SIGKILL really kills the worker
  // (the tsx wrapper binary would die alone and leave its child running).
  const child = spawn(process.execPath, ['--import', 'tsx', 'worker/main.ts'], {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: settings.databaseUrl!,
      TEMPORAL_ADDRESS: settings.temporal.address!,
      TEMPORAL_TASK_QUEUE: settings.temporal.taskQueue,
      DATA_DIR: settings.dataDir,
      JWT_SECRET: settings.jwtSecret,
      STRIPE_WEBHOOK_SECRET: settings.stripe.webhookSecret,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('worker polling')) resolve();
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => reject(new Error(`worker exited (${code}) before polling:\n${output}`)));
  });
  return child;
}

export function crash(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
