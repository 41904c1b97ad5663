import { ClientIdKey, PurchaseIdKey, SessionIdKey } from '../workflows/definitions.js';
import { findTemporalCli, NO_TEMPORAL_CLI_HELP, TemporalCliUnavailable, type FindCliOptions } from './temporal-cli.js';
import { FAST_DISPATCH, startTemporalDevServer, type DevServerOptions, type RunningTemporal } from './temporal-dev-server.js';

export interface LocalTemporalOptions extends Omit<DevServerOptions, 'cliPath'>, Omit<FindCliOptions, 'log'> {
  log: (line: string) => void;
}

/**
 * A local Temporal dev server (for `npm start` and the tests): from a found or built CLI,
 * or, where neither works, from the binary the SDK downloads (needs the internet).
 */
export async function startLocalTemporal(options: LocalTemporalOptions): Promise<RunningTemporal & { source: string }> {
  const { cliPath, log, go, cacheDir, ...server } = options;
  const cli = await findTemporalCli({ cliPath, log, go, ...(cacheDir ? { cacheDir } : {}) });
  if (cli) {
    return { ...(await startTemporalDevServer({ ...server, cliPath: cli.path })), source: `${cli.path} (${cli.source})` };
  }
  log('no temporal CLI and no Go: trying the Temporal SDK download');
  try {
    // A devDependency, loaded only on this path: nothing that runs in the production image reaches it.
    const { TestWorkflowEnvironment } = await import('@temporalio/testing');
    const env = await TestWorkflowEnvironment.createLocal({
      server: {
        executable: { type: 'cached-download' },
        ...(server.dbFile ? { dbFilename: server.dbFile } : {}),
        ...(server.port ? { port: server.port } : {}),
        ...(server.uiPort ? { ui: true, uiPort: server.uiPort } : {}),
        searchAttributes: [ClientIdKey, SessionIdKey, PurchaseIdKey],
        extraArgs: FAST_DISPATCH.flatMap((value) => ['--dynamic-config-value', value]),
      },
    });
    return {
      address: env.address,
      uiUrl: server.uiPort ? `http://localhost:${server.uiPort}` : undefined,
      stop: () => env.teardown(),
      source: 'downloaded by the Temporal SDK',
    };
  } catch (error) {
    throw new TemporalCliUnavailable(
      `${NO_TEMPORAL_CLI_HELP}\n(The SDK download failed: ${error instanceof Error ? error.message : String(error)})`,
    );
  }
}
