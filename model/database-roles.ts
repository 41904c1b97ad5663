import pg from 'pg';

/**
 * Two database roles, because the invariants the schema enforces are only as strong as
 * the role that could switch them off: a table's owner (or a superuser) can
 * `alter table … disable trigger`, drop a constraint or bypass triggers with
 * `session_replication_role`. The owner runs the migrations and owns every table,
 * trigger and function; the app logs in as a role that may only read and write rows.
 */

/** Rows that are never changed once written: the app may add to them, nothing more. */
const APPEND_ONLY_TABLES = ['ledger_entries'];
/** Kept by triggers that run as the owner (each client's figures, the count of clients): the app only reads them. */
const DERIVED_TABLES = ['client_figures', 'client_count'];
/** Written by the migrator (the owner) only. */
const MIGRATIONS_TABLE = 'mikro_orm_migrations';

export class DatabaseRoleError extends Error {
  override name = 'DatabaseRoleError';
}

export interface AppRole {
  role: string;
  /** What was done to the role itself (its grants are brought up to date every time). */
  action: 'created' | 'password set' | 'left as is';
}

function credentials(databaseUrl: string): { user: string; password: string } {
  const url = new URL(databaseUrl);
  return { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
}

/** True when both URLs log in as the same role: nothing to restrict. */
export function sameRole(ownerUrl: string, appUrl: string): boolean {
  return credentials(ownerUrl).user === credentials(appUrl).user;
}

/**
 * Connected as the owner (after migrating): makes sure the app's login role exists, can
 * log in with the password in `appUrl` (when the owner may manage roles) and holds
 * exactly the row privileges it needs on every table, now and for tables later
 * migrations add. Idempotent; `npm run migrate` runs it on every deploy, so changing the
 * app's password in its URL and migrating again rotates it.
 */
export async function provisionAppRole(ownerUrl: string, appUrl: string): Promise<AppRole> {
  const app = credentials(appUrl);
  if (!app.user) throw new DatabaseRoleError('DATABASE_URL names no user');
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  try {
    const ident = (name: string) => owner.escapeIdentifier(name);
    const role = ident(app.user);
    const {
      rows: [me],
    } = await owner.query<{ name: string; superuser: boolean; createrole: boolean }>(
      `select current_user as name, rolsuper as superuser, rolcreaterole as createrole from pg_roles where rolname = current_user`,
    );
    if (me!.name === app.user) {
      throw new DatabaseRoleError(`DATABASE_URL and MIGRATION_DATABASE_URL both log in as "${app.user}": the app must use its own role`);
    }
    const {
      rows: [existing],
    } = await owner.query<{ superuser: boolean }>(`select rolsuper as superuser from pg_roles where rolname = $1`, [app.user]);
    if (existing?.superuser) {
      throw new DatabaseRoleError(
        `the app's role "${app.user}" is a superuser, which can disable the ledger's triggers: give the app a plain login role`,
      );
    }
    const password = app.password ? ` password ${owner.escapeLiteral(app.password)}` : '';
    let action: AppRole['action'] = 'left as is';
    if (!existing) {
      if (!me!.superuser && !me!.createrole) {
        throw new DatabaseRoleError(
          `the role "${app.user}" does not exist and "${me!.name}" may not create roles: create it (LOGIN, no other attributes) or grant "${me!.name}" CREATEROLE`,
        );
      }
      await owner.query(`create role ${role} login nosuperuser nocreatedb nocreaterole noreplication${password}`);
      action = 'created';
    } else if (password && (me!.superuser || me!.createrole)) {
      try {
        await owner.query(`alter role ${role} login${password}`);
        action = 'password set';
      } catch (error) {
        // A role managed by someone else (CREATEROLE without ADMIN on it): its password is theirs to set.
        if ((error as { code?: string }).code !== '42501') throw error;
      }
    }

    await owner.query('begin');
    const {
      rows: [database],
    } = await owner.query<{ name: string }>('select current_database() as name');
    await owner.query(`grant connect on database ${ident(database!.name)} to ${role}`);
    await owner.query(`grant usage on schema public to ${role}`);
    await owner.query(`grant select, insert, update, delete on all tables in schema public to ${role}`);
    await owner.query(`grant usage, select on all sequences in schema public to ${role}`);
    await owner.query(`alter default privileges in schema public grant select, insert, update, delete on tables to ${role}`);
    await owner.query(`alter default privileges in schema public grant usage, select on sequences to ${role}`);
    const { rows: tables } = await owner.query<{ name: string }>(
      `select tablename as name from pg_tables where schemaname = 'public' and tablename = any($1)`,
      [[...APPEND_ONLY_TABLES, ...DERIVED_TABLES, MIGRATIONS_TABLE]],
    );
    for (const { name } of tables) {
      await owner.query(`revoke update, delete, truncate on ${ident(name)} from ${role}`);
      if (name === MIGRATIONS_TABLE || DERIVED_TABLES.includes(name)) await owner.query(`revoke insert on ${ident(name)} from ${role}`);
    }
    await owner.query('commit');
    return { role: app.user, action };
  } catch (error) {
    await owner.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    await owner.end();
  }
}
