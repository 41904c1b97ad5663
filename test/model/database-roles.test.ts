import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { verifyPassword } from '../../model/passwords.js';

/**
 * As deployed: a schema owner that is no superuser (a managed database's owner, with
 * CREATEROLE) runs `npm run migrate`, which creates the app's login role; the app's role
 * then cannot switch off what protects the ledger, whatever SQL it sends.
 */
const root = path.resolve(import.meta.dirname, '..', '..');
const suffix = randomBytes(4).toString('hex');
const owner = { user: `owner_${suffix}`, password: randomBytes(12).toString('hex') };
const app = { user: `app_${suffix}`, password: randomBytes(12).toString('hex') };
const database = `roles_${suffix}`;

function urlAs(role: { user: string; password: string }, db = database): string {
  const url = new URL(inject('postgresAdminUrl'));
  url.username = role.user;
  url.password = role.password;
  url.pathname = `/${db}`;
  return url.toString();
}

async function asSuperuser<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('postgresAdminUrl') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** `npm run migrate` as containers run it. */
function migrate(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'model/migrate.ts'], {
    cwd: root,
    env: { PATH: process.env.PATH!, DATA_DIR: path.join(os.tmpdir(), 'studio-roles-test'), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, output })));
}

const deployEnv = (adminPassword: string) => ({
  MIGRATION_DATABASE_URL: urlAs(owner),
  DATABASE_URL: urlAs(app),
  ADMIN_EMAIL: 'owner@studio.test',
  ADMIN_PASSWORD: adminPassword,
});

let db: pg.Client;

async function sqlState(statement: string): Promise<string | undefined> {
  try {
    await db.query(statement);
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

beforeAll(async () => {
  await asSuperuser(async (client) => {
    await client.query(`create role ${owner.user} login createrole password '${owner.password}'`);
    await client.query(`create database ${database} owner ${owner.user}`);
  });
  const first = await migrate(deployEnv('first-admin-password'));
  expect(first.output).toContain(`app role "${app.user}": created`);
  expect(first.code).toBe(0);
  db = new pg.Client({ connectionString: urlAs(app) });
  await db.connect();
}, 120_000);

afterAll(async () => {
  await db?.end();
  await asSuperuser(async (client) => {
    await client.query(`drop database if exists ${database}`);
    await client.query(`drop role if exists ${app.user}`);
    await client.query(`drop role if exists ${owner.user}`);
  });
});

describe('the schema owner and the app role', () => {
  it('the owner ran the migrations and owns every table; the app role owns nothing and is no superuser', async () => {
    const { rows: tables } = await db.query(`select tablename, tableowner from pg_tables where schemaname = 'public'`);
    expect(tables.length).toBeGreaterThan(5);
    expect(new Set(tables.map((row) => row.tableowner))).toEqual(new Set([owner.user]));
    const {
      rows: [role],
    } = await db.query(`select rolsuper, rolcreaterole, rolcreatedb, rolbypassrls from pg_roles where rolname = current_user`);
    expect(role).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false, rolbypassrls: false });
  });

  it("the app role cannot disable, drop or bypass the ledger's append-only trigger", async () => {
    expect(await sqlState(`alter table ledger_entries disable trigger ledger_entries_no_update`)).toBe('42501');
    expect(await sqlState(`alter table ledger_entries disable trigger all`)).toBe('42501');
    expect(await sqlState(`drop trigger ledger_entries_no_update on ledger_entries`)).toBe('42501');
    expect(
      await sqlState(
        `create or replace function ledger_entries_append_only() returns trigger language plpgsql as $$ begin return new; end $$`,
      ),
    ).toBe('42501');
    expect(await sqlState(`set session_replication_role = replica`)).toBe('42501');
    expect(await sqlState(`alter table users drop constraint users_email_unique`)).toBe('42501');
    expect(await sqlState(`drop table ledger_entries cascade`)).toBe('42501');
  });

  it('the app role reads and appends ledger entries, and can neither update, delete nor truncate them', async () => {
    await db.query(`insert into users (id, email, password_hash, role) values (900001, 'c@roles.test', 'h', 'client')`);
    await db.query(`insert into ledger_entries (client_id, kind, delta, balance_after, held_after, actor, reason, idempotency_key)
      values (900001, 'grant', 1, 1, 0, 'system', 'test', 'roles-1')`);
    expect((await db.query(`select count(*)::int as n from ledger_entries`)).rows[0].n).toBe(1);
    expect(await sqlState(`update ledger_entries set delta = 50`)).toBe('42501');
    expect(await sqlState(`delete from ledger_entries`)).toBe('42501');
    expect(await sqlState(`truncate ledger_entries`)).toBe('42501');
    expect(await sqlState(`update users set first_name = 'Renamed' where id = 900001`)).toBeUndefined();
    expect(await sqlState(`insert into mikro_orm_migrations (name) values ('forged')`)).toBe('42501');
  });

  it("a client's figures follow every entry the app appends, and the app can neither write nor clear them", async () => {
    await db.query(`insert into users (id, email, password_hash, role) values (900002, 's@roles.test', 'h', 'client')`);
    await db.query(`insert into ledger_entries (client_id, kind, delta, held_delta, balance_after, held_after, actor, reason, idempotency_key)
      values (900002, 'grant', 3, 0, 3, 0, 'system', 'test', 'sums-1'), (900002, 'hold', -1, 1, 2, 1, 'system', 'test', 'sums-2'),
             (900002, 'consume', 0, -1, 2, 0, 'system', 'test', 'sums-3')`);
    const sums = async () => (await db.query(`select available, held, consumed from client_figures where client_id = 900002`)).rows;
    expect(await sums()).toEqual([{ available: 2, held: 0, consumed: 1 }]);
    expect(await sqlState(`update client_figures set available = 50`)).toBe('42501');
    expect(await sqlState(`delete from client_figures`)).toBe('42501');
    expect(await sqlState(`truncate client_figures`)).toBe('42501');
    expect(await sqlState(`insert into client_figures values (900001, 50, 0, 0, 0)`)).toBe('42501');
    expect(await sqlState(`select client_figures_add(900002, 50, 0, 0, 0)`)).toBe('42501');
    expect(await sqlState(`drop trigger ledger_entries_figures on ledger_entries`)).toBe('42501');
    expect(await sums()).toEqual([{ available: 2, held: 0, consumed: 1 }]);
  });

  it('the count of clients follows every client the app adds, promotes or deletes, and the app cannot write it', async () => {
    const count = async () => (await db.query(`select clients from client_count`)).rows[0].clients as number;
    const actual = async () => (await db.query(`select count(*)::int as n from users where role = 'client'`)).rows[0].n as number;
    const before = await count();
    expect(before).toBe(await actual());
    await db.query(`insert into users (id, email, password_hash, role) values (900003, 'n1@roles.test', 'h', 'client'),
                    (900004, 'n2@roles.test', 'h', 'client'), (900005, 't@roles.test', 'h', 'trainer')`);
    expect(await count()).toBe(before + 2);
    await db.query(`update users set role = 'trainer' where id = 900003`);
    await db.query(`update users set role = 'client' where id = 900005`);
    await db.query(`update users set first_name = 'Renamed' where id = 900004`);
    expect(await count()).toBe(before + 2);
    await db.query(`delete from users where id = 900004`);
    expect(await count()).toBe(before + 1);
    expect(await count()).toBe(await actual());
    expect(await sqlState(`update client_count set clients = 0`)).toBe('42501');
    expect(await sqlState(`insert into client_count values (false, 1)`)).toBe('42501');
    expect(await sqlState(`delete from client_count`)).toBe('42501');
    expect(await count()).toBe(before + 1);
  });

  it("tables a later migration adds are the app role's to read and write, nothing more", async () => {
    const ownerClient = new pg.Client({ connectionString: urlAs(owner) });
    await ownerClient.connect();
    await ownerClient.query(`create table later_migration (id bigint generated by default as identity primary key, note text)`);
    await ownerClient.end();
    expect(await sqlState(`insert into later_migration (note) values ('written by the app')`)).toBeUndefined();
    expect((await db.query(`select note from later_migration`)).rows).toEqual([{ note: 'written by the app' }]);
    expect(await sqlState(`alter table later_migration add column extra text`)).toBe('42501');
  });

  it("migrating again with a new ADMIN_PASSWORD rotates the admin's password and changes nothing else", async () => {
    const hash = async () =>
      (await db.query(`select password_hash from users where email = 'owner@studio.test'`)).rows[0].password_hash as string;
    expect(await verifyPassword('first-admin-password', await hash())).toBe(true);
    const again = await migrate(deployEnv('rotated-admin-password'));
    expect(again.code).toBe(0);
    expect(again.output).toContain('database schema is up to date');
    expect(again.output).toContain('admin account owner@studio.test: password updated');
    expect(await verifyPassword('rotated-admin-password', await hash())).toBe(true);
    expect(await verifyPassword('first-admin-password', await hash())).toBe(false);
    const unchanged = await migrate(deployEnv('rotated-admin-password'));
    expect(unchanged.output).not.toContain('admin account');
  });

  it('migrate refuses to run without ADMIN_PASSWORD, and refuses a superuser as the app role', async () => {
    const { ADMIN_PASSWORD: _, ...withoutPassword } = deployEnv('unused');
    const missing = await migrate(withoutPassword);
    expect(missing.code).toBe(1);
    expect(missing.output).toContain('npm run migrate needs ADMIN_PASSWORD');

    const superuser = new URL(inject('postgresAdminUrl'));
    superuser.pathname = `/${database}`;
    const refused = await migrate({ ...deployEnv('rotated-admin-password'), DATABASE_URL: superuser.toString() });
    expect(refused.code).toBe(1);
    expect(refused.output).toMatch(/is a superuser, which can disable the ledger's triggers/);
  });
});
