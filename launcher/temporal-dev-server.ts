import { spawn } from 'node:child_process';
import { Connection } from '@temporalio/client';
import { SEARCH_ATTRIBUTES } from '../workflows/definitions.js';
import { freePort } from './free-port.js';
import { atNiceness } from './niceness.js';
import { stopChild } from './go-tools.js';

export interface RunningTemporal {
  address: string;
  uiUrl: string | undefined;
  /** The server's process, when this process started it (a fault test kills it by hand). */
  pid?: number | undefined;
  stop(): Promise<void>;
}

export interface DevServerOptions {
  cliPath: string;
  /** History is kept in this SQLite file; omitted, it lives in memory (tests). */
  dbFile?: string;
  port?: number;
  /** Omitted, the server runs headless. */
  uiPort?: number;
  namespace?: string;
  /** Below the request path's priority (a benchmark's background work); omitted, the caller's. */
  niceness?: number;
  log?: (line: string) => void;
}

/**
 * The dev server's default task dispatch polls each shard 20 times a second, so every
 * workflow task hop waits up to 50 ms; raising the poll rates removes that wait. A task
 * queue's default four partitions split a worker's few pollers between them, so a new
 * workflow's first task sometimes waited for a poller to come round (empty
 * Update-with-Start: p99 2,030 ms, 49 starts/s at 32 in flight); one partition serves a
 * studio's load (p99 27 ms, 96/s).
 */
export const FAST_DISPATCH = [
  'history.transferProcessorMaxPollRPS=10000',
  'history.timerProcessorMaxPollRPS=10000',
  'history.visibilityProcessorMaxPollRPS=10000',
  'matching.numTaskqueueReadPartitions=1',
  'matching.numTaskqueueWritePartitions=1',
];

export async function waitForTemporal(
  address: string,
  namespace: string,
  timeoutMs: number,
  exited?: () => string | undefined,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    const exitReason = exited?.();
    if (exitReason) throw new Error(exitReason);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1_000 });
      try {
        await connection.workflowService.describeNamespace({ namespace });
        return;
      } finally {
        await connection.close();
      }
    } catch (error) {
      lastError = error;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  throw new Error(`Temporal at ${address} did not become ready in ${timeoutMs / 1000}s: ${String(lastError)}`);
}

export async function startTemporalDevServer(options: DevServerOptions): Promise<RunningTemporal> {
  const namespace = options.namespace ?? 'default';
  const port = options.port ?? (await freePort());
  const args = [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--http-port',
    String(await freePort()),
    '--metrics-port',
    String(await freePort()),
    '--namespace',
    namespace,
    '--log-level',
    'warn',
  ];
  if (options.uiPort) args.push('--ui-port', String(options.uiPort));
  else args.push('--headless');
  if (options.dbFile) {
    args.push('--db-filename', options.dbFile, '--sqlite-pragma', 'journal_mode=WAL', '--sqlite-pragma', 'synchronous=OFF');
  }
  for (const [name, type] of Object.entries(SEARCH_ATTRIBUTES)) args.push('--search-attribute', `${name}=${type}`);
  for (const value of FAST_DISPATCH) args.push('--dynamic-config-value', value);

  const child = spawn(...atNiceness(options.niceness, options.cliPath, args), { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-4_000);
    options.log?.(chunk.toString().trimEnd());
  };
  child.stdout.on('data', collect);
  child.stderr.on('data', collect);
  let exit: string | undefined;
  child.on('exit', (code, signal) => {
    exit = `the Temporal dev server exited (${signal ?? `code ${code}`}):\n${output.trim()}`;
  });
  child.on('error', (error) => {
    exit = `the Temporal dev server could not start: ${error.message}`;
  });

  // Whatever way this process ends (a forced exit after a stuck shutdown included), the
  // dev server must not outlive it and keep its ports.
  const killOnExit = () => void child.kill('SIGTERM');
  process.once('exit', killOnExit);
  const stop = async () => {
    await stopChild(child);
    process.removeListener('exit', killOnExit);
  };
  const address = `127.0.0.1:${port}`;
  try {
    await waitForTemporal(address, namespace, 60_000, () => exit);
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    address,
    uiUrl: options.uiPort ? `http://localhost:${options.uiPort}` : undefined,
    pid: child.pid,
    stop,
  };
}
