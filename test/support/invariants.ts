import { expect } from 'vitest';
import type { Orm } from '../../model/orm.js';
import { query } from '../../model/transaction.js';
import { ledgerViolations } from './ledger-checks.js';

/**
 * The invariants of docs/domain.md checked from the outside after every race, crash and flow: cached balances
 * equal ledger sums, lots account for every available credit, no running balance below
 * zero, held credits belong to live bookings, no session holds more bookings than seats,
 * and nobody is in two overlapping sessions (ledger-checks.ts holds the queries).
 */
export async function expectLedgerConsistent(orm: Orm): Promise<void> {
  for (const [check, rows] of Object.entries(await ledgerViolations(orm))) expect(rows, check).toEqual([]);
}

export async function balanceOf(orm: Orm, clientId: number): Promise<{ available: number; held: number }> {
  const [row] = await query<{ available: number; held: number }>(orm, `select available, held from client_balances where client_id = ?`, [
    clientId,
  ]);
  return row!;
}
