import { loadSettings } from '../config/settings.js';
import { runProcess } from '../config/process.js';
import { openDatabase } from '../model/orm.js';
import { buildApp } from './app.js';
import { runApiProcesses } from './processes.js';
import { listen } from './server.js';
import { connectTemporalClient } from './temporal-client.js';

/**
 * `npm run api`: one stateless API instance against external PostgreSQL and Temporal, in
 * API_PROCESSES processes on its port; run as many instances as needed.
 */
await runApiProcesses(
  () => loadSettings().apiProcesses,
  () =>
    runProcess('api', async () => {
      const settings = loadSettings();
      if (!settings.databaseUrl || !settings.temporal.address) {
        throw new Error('npm run api needs DATABASE_URL and TEMPORAL_ADDRESS (npm start runs everything on this machine instead).');
      }
      // Generated per DATA_DIR otherwise: each replica would reject the others' tokens and the workers' simulated webhooks.
      const unset = ['JWT_SECRET', 'STRIPE_WEBHOOK_SECRET'].filter((name) => !process.env[name]);
      if (unset.length > 0) throw new Error(`npm run api needs ${unset.join(' and ')}, the same on every API instance.`);
      const orm = await openDatabase(settings.databaseUrl);
      const temporal = await connectTemporalClient(settings.temporal, settings.temporal.address);
      const app = await buildApp({ settings, orm, temporal }, { logger: true });
      await listen(app, settings.host, settings.port);
      return async () => {
        await app.close();
        await temporal.connection.close();
        await orm.close();
      };
    }),
);
