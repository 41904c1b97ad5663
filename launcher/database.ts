import path from 'node:path';
import type { Settings } from '../config/settings.js';
import { ensureAdmin } from '../model/accounts.js';
import { provisionAppRole, sameRole } from '../model/database-roles.js';
import { migrateToLatest, openDatabase } from '../model/orm.js';
import { seedDemoData } from './seed.js';

export interface PreparedDatabase {
  /** What the worker and the API log in with: the app's own role where there are two. */
  appUrl: string;
  stop(): Promise<void>;
}

/**
 * `npm start`'s database: the embedded PostgreSQL, or DATABASE_URL (migrated as
 * MIGRATION_DATABASE_URL when set), migrated as its owner, with the app's role
 * provisioned, demo data on an empty embedded database (an external one only with
 * DEMO_DATA=true: its accounts have known passwords) and the ADMIN_EMAIL account.
 */
export async function prepareDatabase(settings: Settings, say: (line: string) => void): Promise<PreparedDatabase> {
  let appUrl = settings.databaseUrl;
  let ownerUrl = settings.migrationDatabaseUrl ?? appUrl;
  let stop = async () => {};
  if (appUrl) {
    say(`PostgreSQL: DATABASE_URL${settings.migrationDatabaseUrl ? ', migrated as MIGRATION_DATABASE_URL' : ''}`);
  } else {
    // The PostgreSQL binaries are a devDependency: `npm start` against external services runs without them.
    const { startEmbeddedPostgres, stopClustersOnlyWhenAsked } = await import('./embedded-postgres.js');
    // npm start's shutdown stops the cluster last, after the API and the worker.
    stopClustersOnlyWhenAsked();
    const postgres = await startEmbeddedPostgres({ clusterDir: path.join(settings.dataDir, 'postgres') });
    stop = () => postgres.stop();
    await postgres.createDatabase('studio');
    ownerUrl = postgres.urlFor('studio');
    appUrl = postgres.appUrlFor('studio');
    say(`PostgreSQL: embedded, ${new URL(appUrl).host}`);
  }
  const external = Boolean(settings.databaseUrl);
  try {
    const owner = await openDatabase(ownerUrl!, 1);
    try {
      const applied = await migrateToLatest(owner);
      say(applied.length ? `migrations applied: ${applied.join(', ')}` : 'migrations: schema up to date');
      if (sameRole(ownerUrl!, appUrl)) {
        say(
          'warning: the app uses the role that owns the schema (set MIGRATION_DATABASE_URL to the owner and DATABASE_URL to a plain login role)',
        );
      } else {
        const app = await provisionAppRole(ownerUrl!, appUrl);
        say(`PostgreSQL: the app logs in as "${app.role}", which can read and write rows but not alter the schema`);
      }
      if (!external || settings.demoData) {
        say((await seedDemoData(owner, settings.admin)) ? 'demo data seeded' : 'demo data: database already has users, left as is');
      }
      // The built-in ADMIN_PASSWORD is the demo's, printed by npm start: never put on a real studio's account.
      if (!external || settings.demoData || settings.admin.passwordSet) {
        const admin = await ensureAdmin(owner, settings.admin);
        if (admin !== 'unchanged') say(`admin account ${settings.admin.email}: ${admin}`);
      } else {
        say('admin account: left as is (set ADMIN_PASSWORD to create or update the ADMIN_EMAIL account)');
      }
    } finally {
      await owner.close();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { appUrl, stop };
}
