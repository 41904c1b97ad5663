import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { Booking } from './booking.js';
import { CreditLot } from './credit-lot.js';
import { Purchase } from './purchase.js';
import { TrainingSession } from './training-session.js';
import { User } from './user.js';

const p = defineEntity.properties;

export interface LotTaken {
  lotId: number;
  sessions: number;
}

export const LEDGER_KINDS = ['grant', 'hold', 'release', 'consume', 'expire', 'revoke', 'adjust'] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

/**
 * Append-only (a trigger rejects UPDATE and DELETE); entries are written by the ledger's
 * own SQL, never through the unit of work. `delta` moves the available balance,
 * `heldDelta` the held one: a hold is (-1, +1), a release (+1, -1), a consume (0, -1).
 */
export const LedgerEntry = defineEntity({
  name: 'LedgerEntry',
  tableName: 'ledger_entries',
  readonly: true,
  properties: {
    // bigint in the table; JavaScript numbers hold ids exactly up to 2^53, far beyond any ledger.
    id: p.bigint('number').primary().generated('by default as identity'),
    client: p.manyToOne(User),
    lot: p.manyToOne(CreditLot).nullable(),
    kind: p.enum([...LEDGER_KINDS]),
    delta: p.integer(),
    heldDelta: p.integer().default(0),
    balanceAfter: p.integer(),
    heldAfter: p.integer(),
    session: p.manyToOne(TrainingSession).nullable(),
    booking: p.manyToOne(Booking).nullable(),
    purchase: p.manyToOne(Purchase).nullable(),
    actor: p.text(),
    reason: p.text(),
    idempotencyKey: p.text().unique('ledger_entries_idempotency_key_key'),
    /** A removal's lots, each with the sessions taken from it; null for entries that name their one lot in `lot`. */
    lotsTaken: p.json<LotTaken[]>().nullable(),
    workflowId: p.text().nullable(),
    runId: p.text().nullable(),
    createdAt: p.datetime().defaultRaw('now()'),
  },
});
export type LedgerEntry = InferEntity<typeof LedgerEntry>;
