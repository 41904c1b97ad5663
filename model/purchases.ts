import type { Orm } from './orm.js';
import { inTransaction, query, type Sql } from './transaction.js';

/**
 * The store's queries: packages on sale, purchases from checkout to refund. The purchase
 * row's progress columns are written only by its purchase-to-credit workflow (through
 * `savePurchaseProgress`), so they never race each other.
 */

export type PurchaseStatus = 'pending' | 'paid' | 'failed' | 'expired' | 'refunded' | 'partially_refunded' | 'disputed';
export type DisputeStatus = 'open' | 'won' | 'lost';

export interface PackageOnSale {
  id: number;
  name: string;
  sessions: number;
  priceCents: number;
  currency: string;
  validityDays: number | null;
  stripePriceId: string | null;
}

const PACKAGE_COLUMNS = `id, name, sessions, price_cents as "priceCents", currency, validity_days as "validityDays",
  stripe_price_id as "stripePriceId"`;

export function listPackagesOnSale(orm: Orm): Promise<PackageOnSale[]> {
  return query<PackageOnSale & Record<string, unknown>>(orm, `select ${PACKAGE_COLUMNS} from packages where active order by price_cents, id`);
}

export async function findPackageOnSale(orm: Orm, packageId: number): Promise<PackageOnSale | undefined> {
  const [row] = await query<PackageOnSale & Record<string, unknown>>(orm, `select ${PACKAGE_COLUMNS} from packages where id = ? and active`, [packageId]);
  return row;
}

export interface Buyer {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  stripeCustomerId: string | null;
  createdAt: Date;
}

export async function findBuyer(orm: Orm, userId: number): Promise<Buyer | undefined> {
  const [row] = await query<Buyer & Record<string, unknown>>(orm,
    `select id, email, first_name as "firstName", last_name as "lastName", stripe_customer_id as "stripeCustomerId",
        created_at as "createdAt"
       from users where id = ? and role = 'client'`, [userId]);
  return row;
}

/** Keeps the first customer id stored for a user (two checkouts at once may both create one); returns the kept id. */
export async function keepStripeCustomerId(orm: Orm, userId: number, customerId: string): Promise<string> {
  await query(orm, `update users set stripe_customer_id = ? where id = ? and stripe_customer_id is null`, [customerId, userId]);
  const [row] = await query<{ id: string | null }>(orm, `select stripe_customer_id as id from users where id = ?`, [userId]);
  return row?.id ?? customerId;
}

export interface NewPurchase {
  id: number;
  createdAt: Date;
}

/** The pending purchase exists before Stripe hears of it, so every checkout has a row to tie its events to. */
export function createPendingPurchase(orm: Orm, clientId: number, pkg: PackageOnSale, workflowIdFor: (purchaseId: number) => string): Promise<NewPurchase> {
  return inTransaction(orm, async (sql) => {
    const [row] = await sql<NewPurchase & Record<string, unknown>>(
      `insert into purchases (client_id, package_id, sessions, amount_cents, currency, status)
        values (?, ?, ?, ?, ?, 'pending') returning id, created_at as "createdAt"`,
      [clientId, pkg.id, pkg.sessions, pkg.priceCents, pkg.currency],
    );
    await sql(`update purchases set workflow_id = ? where id = ?`, [workflowIdFor(row!.id), row!.id]);
    return row!;
  });
}

export async function attachCheckoutSession(orm: Orm, purchaseId: number, checkoutSessionId: string): Promise<void> {
  await query(orm, `update purchases set stripe_checkout_session_id = ?, updated_at = now() where id = ?`, [checkoutSessionId, purchaseId]);
}

/** Checkout could not be opened at Stripe: the purchase never became payable. */
export async function markCheckoutFailed(orm: Orm, purchaseId: number): Promise<void> {
  await query(orm, `update purchases set status = 'failed', updated_at = now() where id = ? and status = 'pending'`, [purchaseId]);
}

/** Routing for charge and dispute events, which name the payment intent but not the purchase. */
export async function purchaseIdByPaymentIntent(orm: Orm, paymentIntentId: string): Promise<number | undefined> {
  const [row] = await query<{ id: number }>(orm, `select id from purchases where stripe_payment_intent_id = ?`, [paymentIntentId]);
  return row?.id;
}

export interface PurchaseSummary {
  id: number;
  clientId: number;
  packageName: string;
  sessions: number;
  amountCents: number;
  currency: string;
  status: PurchaseStatus;
  checkoutSessionId: string | null;
  paymentIntentId: string | null;
  customerId: string | null;
  email: string;
  createdAt: Date;
}

/** What the checkout page and the admin refund route show about one purchase. */
export async function findPurchaseSummary(orm: Orm, purchaseId: number): Promise<PurchaseSummary | undefined> {
  const [row] = await query<PurchaseSummary & Record<string, unknown>>(orm,
    `select p.id, p.client_id as "clientId", pk.name as "packageName", p.sessions, p.amount_cents as "amountCents",
        p.currency, p.status, p.stripe_checkout_session_id as "checkoutSessionId",
        p.stripe_payment_intent_id as "paymentIntentId", u.stripe_customer_id as "customerId", u.email,
        p.created_at as "createdAt"
       from purchases p join packages pk on pk.id = p.package_id join users u on u.id = p.client_id
      where p.id = ?`, [purchaseId]);
  return row;
}

/** A purchase as its workflow needs it: the facts of the sale and everything done so far. */
export interface PurchaseRecord {
  purchaseId: number;
  clientId: number;
  packageName: string;
  sessions: number;
  amountCents: number;
  currency: string;
  validityDays: number | null;
  checkoutSessionId: string | null;
  paymentIntentId: string | null;
  status: PurchaseStatus;
  paidAt: string | null;
  refundedCents: number;
  refundedSessions: number;
  sessionsOwed: number;
  disputeStatus: DisputeStatus | null;
  disputeHeld: number;
  disputeShortfall: number;
  /** From the ledger: whether the grant and the dispute's hold were written (by these idempotency keys). */
  granted: boolean;
  disputeHoldTaken: boolean;
  lotExpiresAt: string | null;
}

const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : value == null ? null : new Date(String(value)).toISOString());

export async function loadPurchaseRecord(sql: Sql, purchaseId: number, keys: { grant: string; disputeHold: string }): Promise<PurchaseRecord | undefined> {
  const [row] = await sql(
    `select p.id as "purchaseId", p.client_id as "clientId", pk.name as "packageName", p.sessions,
        p.amount_cents as "amountCents", p.currency, pk.validity_days as "validityDays",
        p.stripe_checkout_session_id as "checkoutSessionId", p.stripe_payment_intent_id as "paymentIntentId",
        p.status, p.paid_at as "paidAt", p.refunded_cents as "refundedCents", p.refunded_sessions as "refundedSessions",
        p.sessions_owed as "sessionsOwed", p.dispute_status as "disputeStatus", p.dispute_held_sessions as "disputeHeld",
        p.dispute_shortfall_sessions as "disputeShortfall",
        exists (select 1 from ledger_entries where idempotency_key = ?) as "granted",
        exists (select 1 from ledger_entries where idempotency_key = ?) as "disputeHoldTaken",
        (select expires_at from credit_lots where purchase_id = p.id and source = 'purchase' order by id limit 1) as "lotExpiresAt"
       from purchases p join packages pk on pk.id = p.package_id
      where p.id = ?`,
    [keys.grant, keys.disputeHold, purchaseId],
  );
  if (!row) return undefined;
  return { ...(row as unknown as PurchaseRecord), paidAt: iso(row.paidAt), lotExpiresAt: iso(row.lotExpiresAt) };
}

/** The workflow's view of a purchase after a step, written whole (one writer per purchase). */
export interface PurchaseProgress {
  purchaseId: number;
  clientId: number;
  status: PurchaseStatus;
  paidAt: string | null;
  paymentIntentId: string | null;
  refundedCents: number;
  refundedSessions: number;
  sessionsOwed: number;
  disputeStatus: DisputeStatus | null;
  disputeHeld: number;
  disputeShortfall: number;
}

export async function savePurchaseProgress(sql: Sql, progress: PurchaseProgress): Promise<void> {
  await sql(
    `update purchases set status = ?, paid_at = ?, stripe_payment_intent_id = coalesce(?, stripe_payment_intent_id),
        refunded_cents = ?, refunded_sessions = ?, sessions_owed = ?, dispute_status = ?,
        dispute_held_sessions = ?, dispute_shortfall_sessions = ?, updated_at = now()
      where id = ?`,
    [
      progress.status, progress.paidAt, progress.paymentIntentId, progress.refundedCents, progress.refundedSessions,
      progress.sessionsOwed, progress.disputeStatus, progress.disputeHeld, progress.disputeShortfall, progress.purchaseId,
    ],
  );
  if (progress.paidAt) {
    await sql(`update users set has_purchased_before = true where id = ? and not has_purchased_before`, [progress.clientId]);
    // The client's receipt, once per purchase; a sender drains the outbox.
    await sql(
      `insert into notifications (user_id, kind, payload, idempotency_key) values (?, 'purchase.paid', ?::jsonb, ?)
        on conflict (idempotency_key) do nothing`,
      [progress.clientId, JSON.stringify({ purchaseId: progress.purchaseId }), `purchase:${progress.purchaseId}:paid`],
    );
  }
}
