import path from 'node:path';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { ClientIdKey, PurchaseIdKey, SessionIdKey } from '../workflows/definitions.js';
import { findTemporalCli, NO_TEMPORAL_CLI_HELP, TemporalCliUnavailable } from './temporal-cli.js';
import { FAST_DISPATCH, startTemporalDevServer, type RunningTemporal } from './temporal-dev-server.js';

export interface LocalTemporalOptions {
  dataDir: string;
  cliPath: string | undefined;
  port: number;
  uiPort: number;
  log: (line: string) => void;
}

/**
 * The local Temporal for `npm start`: the dev server from a found or built CLI, or,
 * where neither works, the binary the SDK downloads (needs the internet).
 */
export async function startLocalTemporal(options: LocalTemporalOptions): Promise<RunningTemporal & { source: string }> {
  const dbFile = path.join(options.dataDir, 'temporal.db');
  const cli = await findTemporalCli({ cliPath: options.cliPath, log: options.log });
  if (cli) {
    const server = await startTemporalDevServer({ cliPath: cli.path, dbFile, port: options.port, uiPort: options.uiPort });
    return { ...server, source: `${cli.path} (${cli.source})` };
  }
  options.log('no temporal CLI and no Go: trying the Temporal SDK download');
  try {
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        dbFilename: dbFile,
        port: options.port,
        ui: true,
        uiPort: options.uiPort,
        searchAttributes: [ClientIdKey, SessionIdKey, PurchaseIdKey],
        extraArgs: FAST_DISPATCH.flatMap((value) => ['--dynamic-config-value', value]),
      },
    });
    return {
      address: env.address,
      uiUrl: `http://localhost:${options.uiPort}`,
      stop: () => env.teardown(),
      source: 'downloaded by the Temporal SDK',
    };
  } catch (error) {
    throw new TemporalCliUnavailable(`${NO_TEMPORAL_CLI_HELP}\n(The SDK download failed: ${error instanceof Error ? error.message : String(error)})`);
  }
}
