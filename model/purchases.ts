import { Package } from './entities/package.js';
import { Purchase, type DisputeStatus, type PurchaseStatus } from './entities/purchase.js';
import { User } from './entities/user.js';
import type { Orm } from './orm.js';
import { queueNotification } from './notifications.js';
import type { Sql } from './transaction.js';

export type { DisputeStatus, PurchaseStatus } from './entities/purchase.js';

/**
 * The store's queries: packages on sale, purchases from checkout to refund. The purchase
 * row's progress columns are written only by its purchase-to-credit workflow (through
 * `savePurchaseProgress`, inside its activity's transaction), so they never race each other.
 */

export interface PackageOnSale {
  id: number;
  name: string;
  sessions: number;
  priceCents: number;
  currency: string;
  validityDays: number | null;
  stripePriceId: string | null;
}

/** A package as the store and the console read it. */
export function packageOnSale(pkg: Package): PackageOnSale {
  return {
    id: pkg.id,
    name: pkg.name,
    sessions: pkg.sessions,
    priceCents: pkg.priceCents,
    currency: pkg.currency,
    validityDays: pkg.validityDays ?? null,
    stripePriceId: pkg.stripePriceId ?? null,
  };
}

export async function listPackagesOnSale(orm: Orm): Promise<PackageOnSale[]> {
  const packages = await orm.em.fork().find(Package, { active: true }, { orderBy: [{ priceCents: 'asc' }, { id: 'asc' }] });
  return packages.map(packageOnSale);
}

export async function findPackageOnSale(orm: Orm, packageId: number): Promise<PackageOnSale | undefined> {
  const pkg = await orm.em.fork().findOne(Package, { id: packageId, active: true });
  return pkg ? packageOnSale(pkg) : undefined;
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
  const user = await orm.em.fork().findOne(User, { id: userId, role: 'client' });
  if (!user) return undefined;
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    stripeCustomerId: user.stripeCustomerId ?? null,
    createdAt: user.createdAt,
  };
}

/** Keeps the first customer id stored for a user (two checkouts at once may both create one); returns the kept id. */
export async function keepStripeCustomerId(orm: Orm, userId: number, customerId: string): Promise<string> {
  const em = orm.em.fork();
  await em.nativeUpdate(User, { id: userId, stripeCustomerId: null }, { stripeCustomerId: customerId });
  const user = await em.findOne(User, { id: userId }, { fields: ['stripeCustomerId'] });
  return user?.stripeCustomerId ?? customerId;
}

export interface NewPurchase {
  id: number;
  createdAt: Date;
}

/** The pending purchase exists before Stripe hears of it, so every checkout has a row to tie its events to. */
export function createPendingPurchase(
  orm: Orm,
  clientId: number,
  pkg: PackageOnSale,
  workflowIdFor: (purchaseId: number) => string,
): Promise<NewPurchase> {
  return orm.em.fork().transactional(async (em) => {
    const purchase = em.create(Purchase, {
      client: clientId,
      package: pkg.id,
      sessions: pkg.sessions,
      amountCents: pkg.priceCents,
      currency: pkg.currency,
      status: 'pending',
    });
    // The workflow id names the purchase's id, which only the insert assigns.
    await em.flush();
    purchase.workflowId = workflowIdFor(purchase.id);
    return { id: purchase.id, createdAt: purchase.createdAt };
  });
}

export async function attachCheckoutSession(orm: Orm, purchaseId: number, checkoutSessionId: string): Promise<void> {
  await orm.em.fork().nativeUpdate(Purchase, { id: purchaseId }, { stripeCheckoutSessionId: checkoutSessionId, updatedAt: new Date() });
}

/** Checkout could not be opened at Stripe: the purchase never became payable. */
export async function markCheckoutFailed(orm: Orm, purchaseId: number): Promise<void> {
  await orm.em.fork().nativeUpdate(Purchase, { id: purchaseId, status: 'pending' }, { status: 'failed', updatedAt: new Date() });
}

/** Routing for charge and dispute events, which name the payment intent but not the purchase. */
export async function purchaseIdByPaymentIntent(orm: Orm, paymentIntentId: string): Promise<number | undefined> {
  const purchase = await orm.em.fork().findOne(Purchase, { stripePaymentIntentId: paymentIntentId }, { fields: ['id'] });
  return purchase?.id;
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
  const purchase = await orm.em.fork().findOne(Purchase, { id: purchaseId }, { populate: ['package', 'client'] });
  if (!purchase) return undefined;
  return {
    id: purchase.id,
    clientId: purchase.client.id,
    packageName: purchase.package.name,
    sessions: purchase.sessions,
    amountCents: purchase.amountCents,
    currency: purchase.currency,
    status: purchase.status,
    checkoutSessionId: purchase.stripeCheckoutSessionId ?? null,
    paymentIntentId: purchase.stripePaymentIntentId ?? null,
    customerId: purchase.client.stripeCustomerId ?? null,
    email: purchase.client.email,
    createdAt: purchase.createdAt,
  };
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

const iso = (value: unknown) =>
  value instanceof Date ? value.toISOString() : value == null ? null : new Date(String(value)).toISOString();

export async function loadPurchaseRecord(
  sql: Sql,
  purchaseId: number,
  keys: { grant: string; disputeHold: string },
): Promise<PurchaseRecord | undefined> {
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
      progress.status,
      progress.paidAt,
      progress.paymentIntentId,
      progress.refundedCents,
      progress.refundedSessions,
      progress.sessionsOwed,
      progress.disputeStatus,
      progress.disputeHeld,
      progress.disputeShortfall,
      progress.purchaseId,
    ],
  );
  if (progress.paidAt) {
    await sql(`update users set has_purchased_before = true where id = ? and not has_purchased_before`, [progress.clientId]);
    // The client's receipt, once per purchase.
    await queueNotification(sql, {
      userId: progress.clientId,
      kind: 'purchase.paid',
      payload: { purchaseId: progress.purchaseId },
      idempotencyKey: `purchase:${progress.purchaseId}:paid`,
    });
  }
  if (progress.refundedCents > 0) {
    // Refunds are cumulative, so each new total is one message, however often it is saved.
    await queueNotification(sql, {
      userId: progress.clientId,
      kind: 'purchase.refunded',
      payload: { purchaseId: progress.purchaseId, refundedCents: progress.refundedCents, refundedSessions: progress.refundedSessions },
      idempotencyKey: `purchase:${progress.purchaseId}:refunded:${progress.refundedCents}`,
    });
  }
}
