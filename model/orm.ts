import { MikroORM, type Options } from '@mikro-orm/postgresql';
import { Migrator } from '@mikro-orm/migrations';
import { entities } from './entities/index.js';
import { migrationsList } from './migrations/index.js';

export type Orm = MikroORM;

export function ormOptions(databaseUrl: string, poolMax = 10): Options {
  return {
    clientUrl: databaseUrl,
    entities,
    extensions: [Migrator],
    // Migrations are listed in code, so the same build runs under tsx, in tests and in containers.
    migrations: { migrationsList, transactional: true, allOrNothing: true, snapshot: false },
    pool: { min: 0, max: poolMax },
    allowGlobalContext: false,
    forceUtcTimezone: true,
    debug: false,
  };
}

export async function migrateToLatest(orm: Orm): Promise<string[]> {
  const applied = await orm.getMigrator().up();
  return applied.map((m) => m.name);
}

export class DatabaseUnreachable extends Error {
  override name = 'DatabaseUnreachable';
}

/**
 * Opens the ORM once per process (callers fork an EntityManager per request or activity)
 * and proves the database answers, naming the host (never the password) when it does not.
 */
export async function openDatabase(databaseUrl: string, poolMax?: number): Promise<Orm> {
  let where: string;
  try {
    const url = new URL(databaseUrl);
    where = `${url.hostname}:${url.port || 5432}${url.pathname}`;
  } catch {
    throw new DatabaseUnreachable('DATABASE_URL is not a valid URL (expected postgres://user:password@host:port/database)');
  }
  let orm: Orm | undefined;
  try {
    orm = await MikroORM.init({ ...ormOptions(databaseUrl, poolMax), connect: false });
    await orm.em.fork().execute('select 1');
    return orm;
  } catch (error) {
    await orm?.close(true).catch(() => undefined);
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new DatabaseUnreachable(`Cannot reach PostgreSQL at ${where}: ${reason}`);
  }
}
