import { defineEntity, type InferEntity } from '@mikro-orm/core';

const p = defineEntity.properties;

export const LEDGER_KINDS = ['grant', 'hold', 'release', 'consume', 'expire', 'revoke', 'adjust'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/**
 * Append-only (a trigger rejects UPDATE and DELETE). `delta` moves the available
 * balance, `heldDelta` the held one: a hold is (-1, +1), a release (+1, -1), a consume (0, -1).
 */
export const LedgerEntry = defineEntity({
  name: 'LedgerEntry',
  tableName: 'ledger_entries',
  readonly: true,
  properties: {
    id: p.bigint('number').primary(),
    clientId: p.integer(),
    lotId: p.integer().nullable(),
    kind: p.enum([...LEDGER_KINDS]),
    delta: p.integer(),
    heldDelta: p.integer(),
    balanceAfter: p.integer(),
    heldAfter: p.integer(),
    sessionId: p.integer().nullable(),
    bookingId: p.integer().nullable(),
    purchaseId: p.integer().nullable(),
    actor: p.string(),
    reason: p.string(),
    idempotencyKey: p.string(),
    workflowId: p.string().nullable(),
    runId: p.string().nullable(),
    createdAt: p.datetime(),
  },
});
export type LedgerEntry = InferEntity<typeof LedgerEntry>;
