import { randomBytes } from 'node:crypto';
import { createCreditActivities } from '../../activities/credits.js';
import type { Orm } from '../../model/orm.js';
import { attachCheckoutSession, createPendingPurchase, findPackageOnSale, type PackageOnSale } from '../../model/purchases.js';
import { query } from '../../model/transaction.js';
import { purchaseWorkflowId } from '../../workflows/definitions.js';

/**
 * The scenarios' starting rows, written straight to the database as its owner: thousands
 * of accounts through the API would measure scrypt, not the system under test. Credits go
 * through the ledger's own grant, as allocations and purchases do.
 */

const run = randomBytes(3).toString('hex');
let serial = 0;

export async function createAccounts(orm: Orm, role: 'admin' | 'client' | 'trainer', count: number): Promise<number[]> {
  if (count === 0) return [];
  const first = serial;
  serial += count;
  const rows = await query<{ id: number }>(
    orm,
    `insert into users (email, password_hash, role, first_name, last_name)
     select ? || n || '@reliability.test', 'no-login', ?, ?, 'R' || n from generate_series(?::int, ?::int) n returning id`,
    [`${role}-${run}-`, role, role, first, first + count - 1],
  );
  return rows.map((row) => row.id);
}

export async function grantCredits(orm: Orm, clientId: number, quantity: number): Promise<void> {
  await createCreditActivities({ orm }).grantCredits({
    idempotencyKey: `reliability-grant:${randomBytes(6).toString('hex')}`,
    clientId,
    quantity,
    source: 'allocation',
    expiresAt: null,
    actor: 'system',
    reason: 'reliability suite funding',
  });
}

/** A session `hoursAhead` from now (well inside the booking window), for `minutes`. */
export async function createSession(orm: Orm, trainerId: number, startsAt: Date, capacity: number, minutes = 60): Promise<number> {
  const [row] = await query<{ id: number }>(
    orm,
    `insert into training_sessions (trainer_id, starts_at, duration_minutes, capacity) values (?, ?, ?, ?) returning id`,
    [trainerId, startsAt.toISOString(), minutes, capacity],
  );
  return row!.id;
}

/** Two days ahead on the hour, so every session is bookable and none has started. */
export const scheduleStart = () => new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 48 * 3_600_000);

export async function createPackage(orm: Orm, sessions: number, priceCents: number): Promise<PackageOnSale> {
  const [row] = await query<{ id: number }>(
    orm,
    `insert into packages (name, sessions, price_cents, validity_days) values (?, ?, ?, null) returning id`,
    [`Reliability ${sessions}`, sessions, priceCents],
  );
  return (await findPackageOnSale(orm, row!.id))!;
}

/** A pending purchase with its Checkout Session, as POST /api/checkout leaves it. */
export async function openPurchase(orm: Orm, clientId: number, pkg: PackageOnSale): Promise<{ id: number; checkoutSessionId: string }> {
  const purchase = await createPendingPurchase(orm, clientId, pkg, purchaseWorkflowId);
  const checkoutSessionId = `cs_test_reliability_${purchase.id}_${run}`;
  await attachCheckoutSession(orm, purchase.id, checkoutSessionId);
  return { id: purchase.id, checkoutSessionId };
}
