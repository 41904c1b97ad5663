import { randomBytes } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { loadSettings } from '../../config/settings.js';
import { prepareDatabase } from '../../launcher/database.js';
import { createTestDatabase } from '../support/database.js';

/**
 * `npm start` pointed at a studio's own PostgreSQL: it migrates as the owner, gives the
 * app its own role, and puts no demo accounts (known passwords) there unless asked to.
 */
const roles: string[] = [];
const databases: string[] = [];

async function superuser(work: (client: pg.Client) => Promise<void>): Promise<void> {
  const client = new pg.Client({ connectionString: inject('postgresAdminUrl') });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

async function rows<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql)).rows;
  } finally {
    await client.end();
  }
}

/** What `npm start` does to a fresh external database with the given settings. */
async function prepareExternal(env: Record<string, string>) {
  const ownerUrl = await createTestDatabase({ migrated: false });
  databases.push(new URL(ownerUrl).pathname.slice(1));
  const appUrl = new URL(ownerUrl);
  appUrl.username = `ext_app_${randomBytes(4).toString('hex')}`;
  appUrl.password = randomBytes(12).toString('hex');
  roles.push(appUrl.username);
  const lines: string[] = [];
  const settings = loadSettings({
    DATA_DIR: path.join(os.tmpdir(), 'studio-external-test'),
    MIGRATION_DATABASE_URL: ownerUrl,
    DATABASE_URL: appUrl.toString(),
    ...env,
  });
  const prepared = await prepareDatabase(settings, (line) => lines.push(line));
  await prepared.stop();
  const users = await rows<{ email: string; role: string }>(ownerUrl, 'select email, role from users order by id');
  return { prepared, output: lines.join('\n'), users, appUrl: appUrl.toString(), role: appUrl.username };
}

afterAll(async () => {
  await superuser(async (client) => {
    for (const database of databases) await client.query(`drop database if exists ${database} with (force)`);
    for (const role of roles) await client.query(`drop role if exists ${role}`);
  });
});

describe('npm start against an external database', () => {
  it('creates only the admin account it is given, and hands the app its own restricted role', async () => {
    const { prepared, output, users, appUrl, role } = await prepareExternal({
      ADMIN_EMAIL: 'owner@studio.example',
      ADMIN_PASSWORD: 'a-real-admin-password',
    });
    expect(prepared.appUrl).toBe(appUrl);
    expect(output).toContain(`the app logs in as "${role}"`);
    expect(output).not.toContain('demo data seeded');
    expect(users).toEqual([{ email: 'owner@studio.example', role: 'admin' }]);
    await expect(rows(appUrl, 'alter table ledger_entries disable trigger all')).rejects.toMatchObject({ code: '42501' });
  });

  it('leaves the database without accounts when no ADMIN_PASSWORD is set, and says how to add one', async () => {
    const { output, users } = await prepareExternal({});
    expect(output).toContain('admin account: left as is (set ADMIN_PASSWORD');
    expect(users).toEqual([]);
  });

  it('seeds the demo studio only with DEMO_DATA=true', async () => {
    const { users } = await prepareExternal({ DEMO_DATA: 'true' });
    expect(users.filter((user) => user.role === 'client').length).toBeGreaterThan(5);
    expect(users.filter((user) => user.role === 'admin')).toHaveLength(1);
  });
});
