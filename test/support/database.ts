import { randomBytes } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { inject } from 'vitest';
import { openDatabase, type Orm } from '../../model/orm.js';

/** As the cluster's superuser (the schema's owner), or as the app's restricted role. */
export function urlFor(database: string, as: 'owner' | 'app' = 'owner'): string {
  const url = new URL(inject('postgresAdminUrl'));
  url.pathname = `/${database}`;
  if (as === 'app') {
    url.username = inject('appRole').user;
    url.password = inject('appRole').password;
  }
  return url.toString();
}

/** A new database with the migrated schema, private to the calling test file; its owner's URL. */
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
  const url = urlFor(name);
  await offsetIdentities(url);
  return url;
}

/**
 * Every test file shares one Temporal namespace while its database numbers rows from 1,
 * so `purchase-7` in two files would be one workflow (the second file's signal would reach
 * the first's, on its task queue and database). Each database starts its ids at a million
 * of its own, claimed in order, so no two databases of a run share one. (A random one of
 * 2,000 millions, as before, gave two of a run's ~100 databases the same one in most runs;
 * when both made purchases, one file's Stripe events went to the other's workflows.) The
 * run's first million is random, for a TEMPORAL_ADDRESS server that keeps earlier runs'.
 */
async function claimIdentityOffset(): Promise<number> {
  // Below 2,001,000,000, within int4, with a million ids for each database.
  for (let slot = 1; slot <= 2_000; slot += 1) {
    try {
      // mkdir is atomic: of two forks claiming one slot, one gets EEXIST and tries the next.
      await mkdir(path.join(inject('identityOffsetsDir'), String(slot)));
      return (((inject('identityOffsetBase') + slot - 1) % 2_000) + 1) * 1_000_000;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error('more than 2,000 test databases in one run: no id range of their own is left');
}

async function offsetIdentities(url: string): Promise<void> {
  const offset = await claimIdentityOffset();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ table_name: string; column_name: string }>(
      `select table_name, column_name from information_schema.columns where table_schema = 'public' and is_identity = 'YES'`,
    );
    for (const { table_name: table, column_name: column } of rows) {
      await client.query(
        `alter table ${client.escapeIdentifier(table)} alter column ${client.escapeIdentifier(column)} restart with ${offset}`,
      );
    }
  } finally {
    await client.end();
  }
}

/** The app's view of a fresh database: its restricted role, as deployed. */
export async function openTestDatabase(): Promise<{ url: string; orm: Orm }> {
  const database = new URL(await createTestDatabase()).pathname.slice(1);
  const url = urlFor(database, 'app');
  return { url, orm: await openDatabase(url, 60) };
}
