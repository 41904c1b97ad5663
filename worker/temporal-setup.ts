import { msToTs } from '@temporalio/common/lib/time.js';
import { loadSettings } from '../config/settings.js';
import { connectWorker, ensureSearchAttributes } from './worker.js';

/**
 * `npm run temporal:setup`, once per cluster and deploy (docker-compose.yml's
 * temporal-init does the same with the Temporal CLI): creates the namespace when the
 * cluster lacks it and registers the workflows' search attributes, so that workers
 * starting together never race to do it. Temporal Cloud creates both in its own console.
 */
const RETENTION_DAYS = 30;
const GRPC_NOT_FOUND = 5;
const settings = loadSettings();
if (!settings.temporal.address) {
  console.error('npm run temporal:setup needs TEMPORAL_ADDRESS (npm start sets up its dev server itself).');
  process.exit(1);
}
const { namespace } = settings.temporal;
try {
  const connection = await connectWorker(settings.temporal, settings.temporal.address);
  try {
    await connection.workflowService.describeNamespace({ namespace });
    console.log(`namespace "${namespace}" exists`);
  } catch (error) {
    if ((error as { code?: number }).code !== GRPC_NOT_FOUND) throw error;
    await connection.workflowService.registerNamespace({ namespace, workflowExecutionRetentionPeriod: msToTs(`${RETENTION_DAYS} days`) });
    console.log(`namespace "${namespace}" created (retention ${RETENTION_DAYS} days)`);
  }
  // A new namespace takes a few seconds to reach every frontend's cache (compose's temporal-init retries too).
  for (let attempt = 1; ; attempt += 1) {
    try {
      await ensureSearchAttributes(connection, namespace);
      break;
    } catch (error) {
      if ((error as { code?: number }).code !== GRPC_NOT_FOUND || attempt === 60) throw error;
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  }
  console.log(`search attributes of "${namespace}" are registered`);
  await connection.close();
} catch (error) {
  console.error(`npm run temporal:setup failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
