import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { ReconciliationSummary } from '../activities/reconciliation.js';

const books = proxyActivities<Activities>({
  // Reads every balance and purchase in one snapshot; at 200,000 ledger rows that is seconds, not minutes.
  startToCloseTimeout: '10 minutes',
  heartbeatTimeout: '2 minutes',
  retry: { initialInterval: '10 seconds', maximumAttempts: 5 },
});

/**
 * Reconciliation (docs/workflows.md), run by a Temporal Schedule: checks the books and
 * records what it found. Drift is reported, never corrected here: a person decides.
 */
export async function reconcileBooks(): Promise<ReconciliationSummary> {
  return books.reconcileBooks();
}
