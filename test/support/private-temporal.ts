import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../launcher/free-port.js';
import { findTemporalCli } from '../../launcher/temporal-cli.js';
import { startTemporalDevServer, type RunningTemporal } from '../../launcher/temporal-dev-server.js';

/**
 * A Temporal dev server of a test file's own, which the test may kill (SIGKILL) and start
 * again on the same port and history file; the run's shared server must stay up for others.
 */
export interface PrivateTemporal {
  readonly address: string;
  kill(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startPrivateTemporal(): Promise<PrivateTemporal> {
  const cli = await findTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH });
  if (!cli) throw new Error('this test needs the temporal CLI (TEMPORAL_CLI_PATH, PATH or the project cache)');
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'studio-sessions-private-temporal-'));
  const port = await freePort();
  let server: RunningTemporal | undefined;
  const start = async () => {
    server = await startTemporalDevServer({ cliPath: cli.path, dbFile: path.join(dataDir, 'temporal.db'), port });
  };
  await start();
  return {
    address: server!.address,
    start,
    async kill() {
      process.kill(server!.pid!, 'SIGKILL');
      await server!.stop();
    },
    async close() {
      await server?.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
