import { loadSettings } from '../config/settings.js';
import { ensureAdmin } from './accounts.js';
import { provisionAppRole, sameRole } from './database-roles.js';
import { migrateToLatest, openDatabase } from './orm.js';

/**
 * `npm run migrate`, once per deploy, then exits: applies pending migrations as the
 * schema's owner (MIGRATION_DATABASE_URL), gives the app's role (DATABASE_URL) its row
 * privileges, and sets the ADMIN_EMAIL account's password to ADMIN_PASSWORD.
 */
const settings = loadSettings();
const fail = (message: string): never => {
  console.error(message);
  process.exit(1);
};
if (!settings.databaseUrl) fail('npm run migrate needs DATABASE_URL (npm start migrates its embedded database itself).');
// The default is the embedded demo's, printed by npm start: never a deployed studio's admin.
if (!settings.admin.passwordSet)
  fail('npm run migrate needs ADMIN_PASSWORD: the ADMIN_EMAIL account is created, or its password updated, with it.');
const appUrl = settings.databaseUrl!;
const ownerUrl = settings.migrationDatabaseUrl ?? appUrl;
try {
  const orm = await openDatabase(ownerUrl, 1);
  const applied = await migrateToLatest(orm);
  console.log(applied.length ? `applied ${applied.join(', ')}` : 'database schema is up to date');
  if (sameRole(ownerUrl, appUrl)) {
    console.warn(
      "warning: no MIGRATION_DATABASE_URL, so the app uses the role that owns the schema and could disable the ledger's append-only trigger",
    );
  } else {
    const app = await provisionAppRole(ownerUrl, appUrl);
    console.log(`app role "${app.role}": ${app.action}, row privileges granted`);
  }
  const admin = await ensureAdmin(orm, settings.admin);
  if (admin !== 'unchanged') console.log(`admin account ${settings.admin.email}: ${admin}`);
  await orm.close();
} catch (error) {
  fail(error instanceof Error ? error.message : String(error));
}
