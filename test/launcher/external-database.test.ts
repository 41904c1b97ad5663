import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freePort } from '../../launcher/free-port.js';
import { createTestDatabase } from '../support/database.js';

/**
 * `npm start` pointed at a studio's own PostgreSQL: it migrates as the owner, runs the app
 * as its own role, and puts no demo accounts (known passwords) there unless asked to.
 */
const root = path.resolve(import.meta.dirname, '..', '..');
const roles: string[] = [];
const databases: string[] = [];

async function superuser<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: inject('postgresAdminUrl') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Starts `npm start`'s entry point against a fresh database, waits for "ready", then stops it with SIGINT. */
async function startAgainstExternal(env: Record<string, string>) {
  const ownerUrl = await createTestDatabase({ migrated: false });
  const database = new URL(ownerUrl).pathname.slice(1);
  databases.push(database);
  const app = { user: `ext_app_${randomBytes(4).toString('hex')}`, password: randomBytes(12).toString('hex') };
  roles.push(app.user);
  const appUrl = new URL(ownerUrl);
  appUrl.username = app.user;
  appUrl.password = app.password;
  const child = spawn(process.execPath, ['--import', 'tsx', 'launcher/start.ts'], {
    cwd: root,
    env: {
      ...process.env, DATA_DIR: await mkdtemp(path.join(os.tmpdir(), 'studio-external-')), PORT: String(await freePort()),
      MIGRATION_DATABASE_URL: ownerUrl, DATABASE_URL: appUrl.toString(),
      TEMPORAL_ADDRESS: inject('temporalAddress'), TEMPORAL_TASK_QUEUE: `test-${randomBytes(5).toString('hex')}`,
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('Ctrl-C stops everything.')) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then((code) => reject(new Error(`npm start exited (${code}) before it was ready:\n${output}`)));
  });
  child.kill('SIGINT');
  const code = await exited;
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  const { rows: users } = await owner.query<{ email: string; role: string }>('select email, role from users order by id');
  await owner.end();
  return { code, output, users, app };
}

afterAll(async () => {
  await superuser(async (client) => {
    for (const database of databases) await client.query(`drop database if exists ${database} with (force)`);
    for (const role of roles) await client.query(`drop role if exists ${role}`);
  });
});

describe('npm start against an external database', () => {
  it('creates only the admin account it is given, and runs the app as its own role', async () => {
    const { code, output, users, app } = await startAgainstExternal({ ADMIN_EMAIL: 'owner@studio.example', ADMIN_PASSWORD: 'a-real-admin-password' });
    expect(code).toBe(0);
    expect(output).toContain(`the app logs in as "${app.user}"`);
    expect(output).not.toContain('demo data seeded');
    expect(users).toEqual([{ email: 'owner@studio.example', role: 'admin' }]);
  });

  it('leaves the database without accounts when no ADMIN_PASSWORD is set, and says how to add one', async () => {
    const { code, output, users } = await startAgainstExternal({ ADMIN_PASSWORD: '' });
    expect(code).toBe(0);
    expect(output).toContain('admin account: left as is (set ADMIN_PASSWORD');
    expect(users).toEqual([]);
  });

  it('seeds the demo studio only with DEMO_DATA=true', async () => {
    const { code, users } = await startAgainstExternal({ DEMO_DATA: 'true', ADMIN_PASSWORD: '' });
    expect(code).toBe(0);
    expect(users.filter((user) => user.role === 'client').length).toBeGreaterThan(5);
  });
});
