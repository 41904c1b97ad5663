import { DomainError, ErrorCode } from './errors.js';
import { appendEntry, findEntry, lockClient, lotLedgerKeys, type Trace } from './ledger.js';
import { queueLowBalance, queueNotification } from './notifications.js';
import type { Sql } from './transaction.js';

/** A credit lot's expiry, as its workflow and the console see it. */
export interface LotExpiry {
  lotId: number;
  clientId: number;
  quantity: number;
  remaining: number;
  /** ISO 8601; null for a lot that never expires. */
  expiresAt: string | null;
  /** Past its expiry: its remainder is written off (or is, in this transaction) and it takes no credit back. */
  expired: boolean;
}

async function readLot(sql: Sql, lotId: number, lock: boolean): Promise<LotExpiry | undefined> {
  const [row] = await sql<{
    lotId: number;
    clientId: number;
    quantity: number;
    remaining: number;
    expiresAt: Date | null;
    expired: boolean;
  }>(
    `select id as "lotId", client_id as "clientId", quantity, remaining, expires_at as "expiresAt",
            coalesce(expires_at <= now(), false) as expired
       from credit_lots where id = ?${lock ? ' for update' : ''}`,
    [lotId],
  );
  return row && { ...row, expiresAt: row.expiresAt?.toISOString() ?? null };
}

/**
 * Locks the lot's client (which writes off the lot once it has passed its expiry, see
 * lockClient) and answers the lot as it now stands; the lot's workflow calls it when its
 * timer fires, and finds the lot expired, or its expiry moved later. An expiry that took
 * the client down to the low-balance threshold nudges them, as a booking would: keyed by
 * the one `expire` entry, whichever write made it, so the nudge goes once.
 */
export async function expireLot(sql: Sql, lotId: number, trace: Trace, lowBalanceThreshold: number): Promise<LotExpiry | undefined> {
  const lot = await readLot(sql, lotId, false);
  if (!lot) return undefined;
  await lockClient(sql, lot.clientId, trace);
  const expired = await findEntry(sql, lotLedgerKeys(lotId).expire);
  if (expired) await queueLowBalance(sql, expired, lowBalanceThreshold);
  return readLot(sql, lotId, true);
}

export async function lotExpiry(sql: Sql, lotId: number): Promise<LotExpiry | undefined> {
  return readLot(sql, lotId, false);
}

/**
 * The expiry notice (an outbox row the sender delivers), once per lot and expiry date: a
 * lot whose expiry an admin moved gets one notice for the new date. Nothing is written for
 * a lot with nothing left to lose, or whose expiry changed since the workflow planned it.
 */
export async function queueExpiryNotice(sql: Sql, lotId: number, expiresAt: string): Promise<boolean> {
  const lot = await readLot(sql, lotId, false);
  if (!lot || lot.expired || lot.remaining === 0 || lot.expiresAt !== expiresAt) return false;
  return queueNotification(sql, {
    userId: lot.clientId,
    kind: 'credits.expiring',
    payload: { lotId, sessions: lot.remaining, expiresAt },
    idempotencyKey: `credits.expiring:lot:${lotId}:${expiresAt}`,
  });
}

export interface ExtendRequest {
  lotId: number;
  expiresAt: string;
  reason: string;
  actor: string;
  /** The studio's zone, in which the ledger's reason names both dates for the front desk. */
  timeZone: string;
}

export interface ExtendedLot extends LotExpiry {
  ledgerEntryId: number;
}

/**
 * Moves a live lot's expiry later, recorded in the ledger as an `adjust` of 0 naming both
 * dates and the admin's reason. An expired lot stays expired (its credits are gone; an
 * admin allocates new ones instead), and a lot that never expires has nothing to extend.
 */
export async function extendLot(sql: Sql, request: ExtendRequest, trace: Trace): Promise<ExtendedLot> {
  const first = await readLot(sql, request.lotId, false);
  if (!first) throw new DomainError(ErrorCode.NotFound, `Credit lot ${request.lotId} was not found.`);
  await lockClient(sql, first.clientId, trace);
  const lot = (await readLot(sql, request.lotId, true))!;
  const target = new Date(request.expiresAt);
  const zone = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: request.timeZone });
  const readable = (date: Date) => `${zone.format(date)} ${request.timeZone}`;
  const key = lotLedgerKeys(lot.lotId).extendTo(target);
  const earlier = await findEntry(sql, key);
  if (earlier) return { ...lot, ledgerEntryId: earlier.id };
  if (lot.expiresAt === null) throw new DomainError(ErrorCode.InvalidRequest, `Credit lot ${lot.lotId} never expires.`);
  if (lot.expired) {
    throw new DomainError(
      ErrorCode.Conflict,
      `Credit lot ${lot.lotId} already expired at ${lot.expiresAt}; its sessions are gone. Allocate new sessions instead.`,
    );
  }
  if (target.getTime() <= new Date(lot.expiresAt).getTime()) {
    throw new DomainError(ErrorCode.InvalidRequest, `The new expiry must be later than the current one, ${lot.expiresAt}.`);
  }
  await sql(`update credit_lots set expires_at = ? where id = ?`, [target, lot.lotId]);
  const entry = await appendEntry(sql, {
    clientId: lot.clientId,
    kind: 'adjust',
    delta: 0,
    lotId: lot.lotId,
    actor: request.actor,
    reason: `Expiry of lot #${lot.lotId} extended from ${readable(new Date(lot.expiresAt))} to ${readable(target)}: ${request.reason}`,
    idempotencyKey: key,
    trace,
  });
  return { ...lot, expiresAt: target.toISOString(), ledgerEntryId: entry.id };
}

/** Lots that still have credits to expire, by id after `afterLotId`: the backfill starts their workflows. */
export async function lotsWithExpiry(sql: Sql, afterLotId: number, limit: number): Promise<number[]> {
  const rows = await sql<{ id: number }>(
    `select id from credit_lots where expires_at is not null and remaining > 0 and id > ? order by id limit ?`,
    [afterLotId, limit],
  );
  return rows.map((row) => row.id);
}
