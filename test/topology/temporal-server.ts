import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import type { RunningPostgres } from '../../launcher/embedded-postgres.js';
import { portInUse } from '../../launcher/free-port.js';
import { cacheDir, findGoTool, stopChild, type GoTool } from '../../launcher/go-tools.js';
import { readComposeFile } from '../deploy/compose-file.js';

/**
 * docker-compose.yml's Temporal service without Docker: the server built from source at
 * the compose file's release (`go install go.temporal.io/server/cmd/server`, its schema
 * set up with `cmd/tools/sql`) on a given PostgreSQL, with the compose service's
 * environment and dynamic config on free local ports. `npm run test:topology` and the
 * booking benchmark's production run start it the same way.
 */

export class TemporalServerFailure extends Error {}

const compose = readComposeFile();
export const temporalTag = compose.services.temporal!.image!.split(':')[1]!;
export const temporalVersion = `v${temporalTag}`;
const serverTools: GoTool[] = [
  { binary: 'server', module: 'go.temporal.io/server/cmd/server', version: temporalVersion, versionArgs: ['--version'] },
  { binary: 'sql', module: 'go.temporal.io/server/cmd/tools/sql', version: temporalVersion, versionArgs: ['--version'] },
];

/** `${NAME:-default}` → default; a compose value with no interpolation as is. */
export const composeDefault = (value: string | null | undefined) => (value ?? '').replace(/\$\{[A-Z_]+:-([^}]*)\}/g, '$1');

/** Temporal records membership ports in a smallint column, so kernel-chosen ephemeral ports (above 32767) do not fit. */
async function freeMembershipPort(taken: string[]): Promise<number> {
  for (;;) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (!taken.includes(String(port)) && !(await portInUse(port, '127.0.0.1'))) return port;
  }
}

function runOnce(name: string, args: string[], env: Record<string, string>): void {
  const [command, ...rest] = args;
  const result = spawnSync(command!, rest, { env, encoding: 'utf8', timeout: 300_000 });
  if (result.status !== 0)
    throw new TemporalServerFailure(`${name} failed (exit ${result.status}):\n${`${result.stdout}${result.stderr}`.slice(-3_000)}`);
}

/** The server and SQL tool binaries: on PATH, in the project cache, or built there with Go. */
export async function findTemporalServer(log: (line: string) => void): Promise<{ server: string; sqlTool: string }> {
  const into = path.join(cacheDir, `temporal-server-${temporalVersion}`);
  const [server, sqlTool] = await Promise.all(
    serverTools.map(async (tool) => {
      const found = await findGoTool(tool, { explicitName: 'none', into, log, fail: (message) => new TemporalServerFailure(message) });
      if (!found) throw new TemporalServerFailure(`no ${tool.binary} binary and no Go to build it`);
      log(`Temporal ${tool.binary} ${temporalVersion}: ${found.path} (${found.source})`);
      return found.path;
    }),
  );
  return { server: server!, sqlTool: sqlTool! };
}

export interface RunningTemporalServer {
  address: string;
  shards: string;
  stop(): Promise<void>;
}

/** Sets up Temporal's two databases on `postgres` and runs the server until its frontend is SERVING. */
export async function startTemporalServer(options: {
  postgres: RunningPostgres;
  workDir: string;
  log: (line: string) => void;
}): Promise<RunningTemporalServer> {
  const { postgres, workDir, log } = options;
  const { server, sqlTool } = await findTemporalServer(log);
  const pgUrl = new URL(postgres.adminUrl);
  const sqlEnv = {
    PATH: process.env.PATH!,
    SQL_PLUGIN: compose.services['temporal-setup']!.environment!.SQL_PLUGIN!,
    SQL_HOST: pgUrl.hostname,
    SQL_PORT: pgUrl.port,
    SQL_USER: decodeURIComponent(pgUrl.username),
    SQL_PASSWORD: decodeURIComponent(pgUrl.password),
  };
  let started = Date.now();
  for (const [db, schema] of [
    ['temporal', 'temporal'],
    ['temporal_visibility', 'visibility'],
  ] as const) {
    runOnce('temporal-sql-tool create', [sqlTool, '--db', db, 'create'], sqlEnv);
    runOnce('temporal-sql-tool setup-schema', [sqlTool, '--db', db, 'setup-schema', '-v', '0.0'], sqlEnv);
    runOnce('temporal-sql-tool update-schema', [sqlTool, '--db', db, 'update-schema', '--schema-name', `postgresql/v12/${schema}`], sqlEnv);
  }
  log(`Temporal schemas set up in ${Date.now() - started} ms`);

  const dynamicConfig = path.join(workDir, 'dynamicconfig.yaml');
  await writeFile(dynamicConfig, compose.configs['temporal-dynamic-config']!.content);
  const ports: Record<string, string> = {};
  for (const name of [
    'FRONTEND_GRPC_PORT',
    'FRONTEND_HTTP_PORT',
    'INTERNAL_FRONTEND_HTTP_PORT',
    'FRONTEND_MEMBERSHIP_PORT',
    'HISTORY_GRPC_PORT',
    'HISTORY_MEMBERSHIP_PORT',
    'MATCHING_GRPC_PORT',
    'MATCHING_MEMBERSHIP_PORT',
    'WORKER_GRPC_PORT',
    'WORKER_MEMBERSHIP_PORT',
  ]) {
    ports[name] = String(await freeMembershipPort(Object.values(ports)));
  }
  const serverEnv: Record<string, string> = { PATH: process.env.PATH!, HOME: process.env.HOME ?? workDir };
  for (const [key, value] of Object.entries(compose.services.temporal!.environment!)) serverEnv[key] = composeDefault(value);
  Object.assign(serverEnv, ports, {
    POSTGRES_SEEDS: pgUrl.hostname,
    DB_PORT: pgUrl.port,
    POSTGRES_USER: decodeURIComponent(pgUrl.username),
    POSTGRES_PWD: decodeURIComponent(pgUrl.password),
    BIND_ON_IP: '127.0.0.1',
    DYNAMIC_CONFIG_FILE_PATH: dynamicConfig,
    LOG_LEVEL: 'warn',
  });
  started = Date.now();
  const address = `127.0.0.1:${ports.FRONTEND_GRPC_PORT}`;
  const temporal = spawn(server, ['start'], { cwd: workDir, env: serverEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  const temporalLog = createWriteStream(path.join(workDir, 'temporal-server.log'));
  temporal.stdout.pipe(temporalLog);
  temporal.stderr.pipe(temporalLog);
  const stop = () => stopChild(temporal);
  const deadline = Date.now() + 120_000;
  for (;;) {
    if (temporal.exitCode !== null) {
      throw new TemporalServerFailure(`the Temporal server exited (${temporal.exitCode}); see ${workDir}/temporal-server.log`);
    }
    const serving = await Connection.connect({ address, connectTimeout: 1_000 }).then(
      async (connection) => {
        try {
          return (await connection.healthService.check({})).status === 1;
        } finally {
          await connection.close();
        }
      },
      () => false,
    );
    if (serving) break;
    if (Date.now() > deadline) {
      await stop();
      throw new TemporalServerFailure(`timed out waiting for the Temporal frontend; see ${workDir}/temporal-server.log`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  log(
    `Temporal server ${temporalTag} serving on ${address} in ${Date.now() - started} ms (${serverEnv.NUM_HISTORY_SHARDS} history shards)`,
  );
  return { address, shards: serverEnv.NUM_HISTORY_SHARDS!, stop };
}
