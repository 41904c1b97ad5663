/**
 * The API for bench/reads.ts, as `npm run api` runs it (API_PROCESSES processes on one
 * port), but with a Temporal client pointed at a port where nothing listens: a read that
 * touched Temporal would fail, so the benchmark proves none does.
 */
import { Client, Connection } from '@temporalio/client';
import { runProcess } from '../config/process.js';
import { loadSettings } from '../config/settings.js';
import { buildApp } from '../api/app.js';
import { runApiProcesses } from '../api/processes.js';
import { listen } from '../api/server.js';
import { openDatabase } from '../model/orm.js';

await runApiProcesses(
  () => loadSettings().apiProcesses,
  () =>
    runProcess('bench api', async () => {
      const settings = loadSettings();
      const orm = await openDatabase(settings.databaseUrl!);
      const temporal = new Client({ connection: Connection.lazy({ address: '127.0.0.1:1' }) });
      const app = await buildApp({ settings, orm, temporal });
      await listen(app, settings.host, settings.port);
      console.log(`bench api ${process.pid} listening`);
      return async () => {
        await app.close();
        await orm.close();
      };
    }),
);
