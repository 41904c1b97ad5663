import { proxyLocalActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { actorLabel } from '../model/vocabulary.js';
import type { AllocationInput, AllocationResult } from './definitions.js';
import { startLotExpiry } from './lot-expiry.js';

// Local activities: the admin's request waits on this workflow, so it stays one task long.
const { grantCredits, removeCredits } = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', maximumAttempts: 10 },
});

/**
 * An admin grants (or, with a reason, removes) credits. The workflow id carries the
 * request's idempotency key, so the same request twice is one allocation; its history
 * is the audit of who gave what and why.
 */
export async function allocation(input: AllocationInput): Promise<AllocationResult> {
  const common = {
    idempotencyKey: `allocation:${input.idempotencyKey}`,
    clientId: input.clientId,
    actor: actorLabel(input.actor),
    reason: input.reason,
  };
  const { entry } =
    input.sessions > 0
      ? await grantCredits({ ...common, quantity: input.sessions, source: 'allocation', expiresAt: input.expiresAt ?? null })
      : await removeCredits({ ...common, quantity: -input.sessions, kind: 'adjust', exact: true });
  // The lot's expiry is its own workflow, started here so no granted lot goes without one.
  if (input.sessions > 0 && input.expiresAt && entry.lotId !== null) await startLotExpiry(entry.lotId);
  return { clientId: input.clientId, sessions: input.sessions, balanceAfter: entry.balanceAfter, ledgerEntryId: entry.id };
}
