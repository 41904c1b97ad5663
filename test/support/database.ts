import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Orm } from '../../model/orm.js';

function urlFor(database: string): string {
  const url = new URL(inject('postgresAdminUrl'));
  url.pathname = `/${database}`;
  return url.toString();
}

/** A new database with the migrated schema, private to the calling test file. */
export async function createTestDatabase(options: { migrated?: boolean } = {}): Promise<string> {
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: inject('postgresAdminUrl') });
  await admin.connect();
  try {
    const template = options.migrated === false ? 'template0' : inject('templateDatabase');
    await admin.query(`create database ${name} template ${template}`);
  } finally {
    await admin.end();
  }
  return urlFor(name);
}

export async function openTestDatabase(): Promise<{ url: string; orm: Orm }> {
  const url = await createTestDatabase();
  return { url, orm: await openDatabase(url, 60) };
}
