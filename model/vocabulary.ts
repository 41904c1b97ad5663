/**
 * Words every layer shares — the API, the workflows, the activities and the model — kept
 * below all of them with no imports, so the workflow sandbox can use them too.
 */

/** Who acts: a user id, or `stripe` / `system` for automatic flows. */
export interface Actor {
  id: string;
  role: 'admin' | 'trainer' | 'client' | 'stripe' | 'system';
}

/** How an actor is written in the ledger: `admin:12`, `client:7`, or `stripe` / `system`. */
export function actorLabel(actor: Actor): string {
  return actor.role === 'system' || actor.role === 'stripe' ? actor.role : `${actor.role}:${actor.id}`;
}

/** Ledger idempotency keys of one purchase's steps: a retry or a later run finds what was already done. */
export const purchaseLedgerKeys = (purchaseId: number) => ({
  grant: `purchase:${purchaseId}:grant`,
  refundTo: (sessionsRefunded: number) => `purchase:${purchaseId}:refund-to:${sessionsRefunded}`,
  disputeHold: `purchase:${purchaseId}:dispute-hold`,
  disputeRestore: `purchase:${purchaseId}:dispute-restore`,
});
