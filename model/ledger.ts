import type { LedgerEntry, LedgerKind, LotTaken } from './entities/ledger-entry.js';
import { DomainError, ErrorCode } from './errors.js';
import type { Sql } from './transaction.js';

/**
 * The ledger's primitives, each a step inside a caller's transaction. Every change of
 * credit is one appended entry plus the cached balance moved in the same transaction
 * (docs/domain.md). Lock order is fixed — session row (when any), then the client row, then
 * lots — so concurrent operations on one client queue on the client row and never deadlock.
 */

export interface Trace {
  workflowId: string | null;
  runId: string | null;
}

export interface EntryDraft {
  clientId: number;
  kind: LedgerKind;
  delta: number;
  heldDelta?: number;
  lotId?: number | null;
  sessionId?: number | null;
  bookingId?: number | null;
  purchaseId?: number | null;
  /** A removal's lots (it may span several), so each credit can be valued at its own lot's price. */
  lotsTaken?: LotTaken[] | null;
  actor: string;
  reason: string;
  idempotencyKey: string;
  trace: Trace;
}

export interface LedgerEntryRow {
  id: number;
  clientId: number;
  lotId: number | null;
  kind: LedgerKind;
  delta: number;
  heldDelta: number;
  balanceAfter: number;
  heldAfter: number;
  sessionId: number | null;
  bookingId: number | null;
  purchaseId: number | null;
  actor: string;
  reason: string;
  idempotencyKey: string;
  workflowId: string | null;
  runId: string | null;
  createdAt: Date;
}

export const ENTRY_COLUMNS = `id::int as "id", client_id as "clientId", lot_id as "lotId", kind, delta,
  held_delta as "heldDelta", balance_after as "balanceAfter", held_after as "heldAfter",
  session_id as "sessionId", booking_id as "bookingId", purchase_id as "purchaseId", actor, reason,
  idempotency_key as "idempotencyKey", workflow_id as "workflowId", run_id as "runId", created_at as "createdAt"`;

/** An entry as every reader sees it, read through the ORM. */
export function entryRow(entry: LedgerEntry): LedgerEntryRow {
  return {
    id: entry.id,
    clientId: entry.client.id,
    lotId: entry.lot?.id ?? null,
    kind: entry.kind,
    delta: entry.delta,
    heldDelta: entry.heldDelta,
    balanceAfter: entry.balanceAfter,
    heldAfter: entry.heldAfter,
    sessionId: entry.session?.id ?? null,
    bookingId: entry.booking?.id ?? null,
    purchaseId: entry.purchase?.id ?? null,
    actor: entry.actor,
    reason: entry.reason,
    idempotencyKey: entry.idempotencyKey,
    workflowId: entry.workflowId ?? null,
    runId: entry.runId ?? null,
    createdAt: entry.createdAt,
  };
}

export interface ClientBalance {
  available: number;
  held: number;
}

const NO_TRACE: Trace = { workflowId: null, runId: null };

/**
 * Locks the client's row for the rest of the transaction; only clients carry credit.
 * Every write passes here, so it first writes off the credits of any lot that has passed
 * its expiry (the lot's own workflow normally does it at the instant; whichever comes
 * first writes the one `expire` entry): no balance this transaction reads, writes or
 * answers ever counts an expired credit.
 */
export async function lockClient(sql: Sql, clientId: number, trace: Trace = NO_TRACE): Promise<ClientBalance> {
  // Whether any lot has lapsed is asked in the same round trip; the write-off itself is rare.
  const rows = await sql<{ role: string; available: number; held: number; lapsed: boolean }>(
    `select role, available_sessions as available, held_sessions as held,
            exists(select 1 from credit_lots where client_id = users.id and remaining > 0 and expires_at <= now()) as lapsed
       from users where id = ? for update`,
    [clientId],
  );
  const row = rows[0];
  if (!row) throw new DomainError(ErrorCode.NotFound, `Client ${clientId} was not found.`);
  if (row.role !== 'client')
    throw new DomainError(ErrorCode.InvalidRequest, `User ${clientId} is not a client; only clients hold session credits.`);
  const expired = row.lapsed ? await expireLapsedLots(sql, clientId, trace) : 0;
  return { available: row.available - expired, held: row.held };
}

/** Ledger keys of one lot's own steps: one expiry, and one entry per new expiry an admin sets. */
export const lotLedgerKeys = (lotId: number) => ({
  expire: `lot:${lotId}:expire`,
  extendTo: (expiresAt: Date) => `lot:${lotId}:extend-to:${expiresAt.toISOString()}`,
});

/** Writes off what remains in the client's lots past their expiry, one `expire` entry per lot; the caller holds the client lock. */
async function expireLapsedLots(sql: Sql, clientId: number, trace: Trace): Promise<number> {
  const lapsed = await sql<{ id: number; remaining: number; expiresAt: Date }>(
    `select id, remaining, expires_at as "expiresAt" from credit_lots
      where client_id = ? and remaining > 0 and expires_at <= now()
      order by id for update`,
    [clientId],
  );
  let expired = 0;
  for (const lot of lapsed) {
    await sql(`update credit_lots set remaining = 0 where id = ?`, [lot.id]);
    await appendEntry(sql, {
      clientId,
      kind: 'expire',
      delta: -lot.remaining,
      lotId: lot.id,
      actor: 'system',
      reason: `Lot #${lot.id} expired at ${lot.expiresAt.toISOString()}: ${lot.remaining} unused session${lot.remaining === 1 ? '' : 's'} expired`,
      idempotencyKey: lotLedgerKeys(lot.id).expire,
      trace,
    });
    expired += lot.remaining;
  }
  return expired;
}

/** The entry an earlier attempt with this key wrote, if any: retries return it unchanged. */
export async function findEntry(sql: Sql, idempotencyKey: string): Promise<LedgerEntryRow | undefined> {
  const rows = await sql<LedgerEntryRow & Record<string, unknown>>(
    `select ${ENTRY_COLUMNS} from ledger_entries where idempotency_key = ?`,
    [idempotencyKey],
  );
  return rows[0];
}

/**
 * Appends one entry and moves the cached balances with it, in one statement (one round
 * trip on every ledger write); CHECKs refuse any negative.
 */
export async function appendEntry(sql: Sql, draft: EntryDraft): Promise<LedgerEntryRow> {
  const heldDelta = draft.heldDelta ?? 0;
  const [entry] = await sql<LedgerEntryRow & Record<string, unknown>>(
    `with balance as (
       update users set available_sessions = available_sessions + ?::int, held_sessions = held_sessions + ?::int
        where id = ?::int returning available_sessions, held_sessions)
     insert into ledger_entries (client_id, lot_id, kind, delta, held_delta, balance_after, held_after,
        session_id, booking_id, purchase_id, lots_taken, actor, reason, idempotency_key, workflow_id, run_id)
     select ?::int, ?::int, ?::text, ?::int, ?::int, available_sessions, held_sessions,
            ?::int, ?::int, ?::int, ?::jsonb, ?::text, ?::text, ?::text, ?::text, ?::text
       from balance
     returning ${ENTRY_COLUMNS}`,
    [
      draft.delta,
      heldDelta,
      draft.clientId,
      draft.clientId,
      draft.lotId ?? null,
      draft.kind,
      draft.delta,
      heldDelta,
      draft.sessionId ?? null,
      draft.bookingId ?? null,
      draft.purchaseId ?? null,
      draft.lotsTaken ? JSON.stringify(draft.lotsTaken) : null,
      draft.actor,
      draft.reason,
      draft.idempotencyKey,
      draft.trace.workflowId,
      draft.trace.runId,
    ],
  );
  if (!entry) throw new DomainError(ErrorCode.NotFound, `Client ${draft.clientId} was not found.`);
  return entry;
}

export interface LotDraft {
  clientId: number;
  quantity: number;
  source: 'purchase' | 'allocation' | 'restore';
  purchaseId?: number | null;
  expiresAt?: Date | null;
}

export async function insertLot(sql: Sql, lot: LotDraft): Promise<number> {
  const [row] = await sql<{ id: number }>(
    `insert into credit_lots (client_id, source, purchase_id, quantity, remaining, expires_at)
      values (?, ?, ?, ?, ?, ?) returning id`,
    [lot.clientId, lot.source, lot.purchaseId ?? null, lot.quantity, lot.quantity, lot.expiresAt ?? null],
  );
  return row!.id;
}

/** Takes one credit from the live lot that expires first (never-expiring lots last). */
export async function takeFromEarliestLot(sql: Sql, clientId: number): Promise<number | undefined> {
  const [lot] = await sql<{ id: number }>(
    `update credit_lots set remaining = remaining - 1
      where id = (
        select id from credit_lots
         where client_id = ? and remaining > 0 and (expires_at is null or expires_at > now())
         order by expires_at asc nulls last, id asc
         limit 1
         for update)
      returning id`,
    [clientId],
  );
  return lot?.id;
}

/**
 * Takes up to `quantity` live credits, earliest-expiring lots first, optionally only from
 * one purchase's lots. Returns what was taken from each lot (in all, fewer than asked when
 * the rest could not be).
 */
export async function takeCredits(sql: Sql, clientId: number, quantity: number, purchaseId?: number): Promise<LotTaken[]> {
  const lots = await sql<{ id: number; remaining: number }>(
    `select id, remaining from credit_lots
      where client_id = ? and remaining > 0 and (expires_at is null or expires_at > now())
        and (?::int is null or purchase_id = ?::int)
      order by expires_at asc nulls last, id asc
      for update`,
    [clientId, purchaseId ?? null, purchaseId ?? null],
  );
  const taken: LotTaken[] = [];
  let left = quantity;
  for (const lot of lots) {
    if (left === 0) break;
    const take = Math.min(lot.remaining, left);
    await sql(`update credit_lots set remaining = remaining - ? where id = ?`, [take, lot.id]);
    taken.push({ lotId: lot.id, sessions: take });
    left -= take;
  }
  return taken;
}

/** Puts one held credit back into its own lot, unless that lot has expired meanwhile. */
export async function returnToLot(sql: Sql, lotId: number): Promise<{ returned: boolean; expiresAt: Date | null }> {
  const [lot] = await sql<{ expiresAt: Date | null; expired: boolean }>(
    `select expires_at as "expiresAt", (expires_at is not null and expires_at <= now()) as expired
       from credit_lots where id = ? for update`,
    [lotId],
  );
  if (!lot) throw new DomainError(ErrorCode.NotFound, `Credit lot ${lotId} was not found.`);
  if (lot.expired) return { returned: false, expiresAt: lot.expiresAt };
  await sql(`update credit_lots set remaining = remaining + 1 where id = ?`, [lotId]);
  return { returned: true, expiresAt: lot.expiresAt };
}
