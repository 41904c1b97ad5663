import { loadSettings } from '../config/settings.js';
import { ensureAdmin } from './accounts.js';
import { migrateToLatest, openDatabase } from './orm.js';

/**
 * `npm run migrate`: applies pending migrations to DATABASE_URL and makes sure the
 * ADMIN_EMAIL account exists, then exits (containers run it once per deploy).
 */
const settings = loadSettings();
if (!settings.databaseUrl) {
  console.error('npm run migrate needs DATABASE_URL (npm start migrates its embedded database itself).');
  process.exit(1);
}
try {
  const orm = await openDatabase(settings.databaseUrl, 1);
  const applied = await migrateToLatest(orm);
  console.log(applied.length ? `applied ${applied.join(', ')}` : 'database schema is up to date');
  if (await ensureAdmin(orm, settings.admin)) console.log(`created the admin account ${settings.admin.email}`);
  await orm.close();
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exit(1);
}
