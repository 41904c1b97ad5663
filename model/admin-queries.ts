import type { BOOKING_STATUSES } from './entities/booking.js';
import type { LedgerKind } from './entities/ledger-entry.js';
import type { PURCHASE_STATUSES } from './entities/purchase.js';
import type { SESSION_STATUSES } from './entities/training-session.js';
import { DomainError, ErrorCode } from './errors.js';
import { ENTRY_COLUMNS, type LedgerEntryRow } from './ledger.js';
import type { Orm } from './orm.js';
import { SESSION_COLUMNS, SESSION_FROM, type SessionView } from './schedule.js';
import { query, type Row } from './transaction.js';

type SessionStatus = (typeof SESSION_STATUSES)[number];
type BookingStatus = (typeof BOOKING_STATUSES)[number];
type PurchaseStatus = (typeof PURCHASE_STATUSES)[number];

/**
 * The console's read side: one filtered, sorted, paged listing per admin resource, with
 * its total. Every value travels as a bound parameter; sort fields map to SQL through the
 * whitelists below, so nothing a caller sends is ever spliced into a statement.
 * Clients' figures come from the client_balances view, like every other screen.
 */

export interface Sort {
  field: string;
  order: 'ASC' | 'DESC';
}

export interface PageRequest<F> {
  filter: F;
  sort: Sort;
  offset: number;
  limit: number;
}

export interface Page<T> {
  rows: T[];
  /** Rows matching the filter, ignoring the page. */
  total: number;
}

/** knex expands JS array bindings, so id lists travel as one PostgreSQL array literal. */
function intArray(ids: readonly number[]): string {
  if (!ids.every((id) => Number.isSafeInteger(id))) throw new DomainError(ErrorCode.InvalidRequest, 'Ids must be whole numbers.');
  return `{${ids.join(',')}}`;
}

/** Only for enumerated values (statuses, kinds), which never need quoting. */
function wordArray(words: readonly string[]): string {
  if (!words.every((word) => /^[a-z_]+$/.test(word))) throw new DomainError(ErrorCode.InvalidRequest, 'Unexpected filter value.');
  return `{${words.join(',')}}`;
}

/** `%text%` for ILIKE, with the pattern's own wildcards taken literally. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

/** Conditions joined with AND, each with its own `?` parameters in order. */
class Where {
  private readonly conditions: string[] = [];
  readonly params: unknown[] = [];

  add(condition: string, ...params: unknown[]): void {
    this.conditions.push(condition);
    this.params.push(...params);
  }

  toString(): string {
    return this.conditions.length === 0 ? '' : `where ${this.conditions.join(' and ')}`;
  }
}

interface Listing {
  /** The select list; may hold `?` parameters, given in columnParams. */
  columns: string;
  columnParams?: unknown[];
  from: string;
  /** Sort field → SQL expression: the whitelist. */
  sorts: Readonly<Record<string, string>>;
  /** The unique key, the tiebreaker that makes paging stable. */
  key: string;
}

async function listPage<T>(orm: Orm, listing: Listing, where: Where, request: PageRequest<unknown>): Promise<Page<T>> {
  const orderBy = Object.hasOwn(listing.sorts, request.sort.field) ? listing.sorts[request.sort.field] : undefined;
  if (!orderBy) throw new DomainError(ErrorCode.InvalidRequest, `Cannot sort by "${request.sort.field}".`);
  const direction = request.sort.order === 'DESC' ? 'desc' : 'asc';
  // The total rides on every row (a window over the filtered set, before LIMIT), so the
  // page and its Content-Range total come from one statement and one snapshot.
  const rows = await query<Row & { matchingRows: number }>(orm,
    `select ${listing.columns}, count(*) over ()::int as "matchingRows" from ${listing.from} ${where}
      order by ${orderBy} ${direction} nulls last, ${listing.key} ${direction} limit ? offset ?`,
    [...(listing.columnParams ?? []), ...where.params, request.limit, request.offset]);
  let total = rows[0]?.matchingRows;
  if (total === undefined) {
    // A page past the end has no row to carry the total.
    total = request.offset === 0 ? 0 : (await query<{ total: number }>(orm,
      `select count(*)::int as total from ${listing.from} ${where}`, where.params))[0]?.total ?? 0;
  }
  return { rows: rows.map(({ matchingRows: _total, ...row }) => row as T), total };
}

/* ---- clients ---- */

export interface AdminClientRow {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  createdAt: Date;
  availableSessions: number;
  scheduled: number;
  completed: number;
  cancelled: number;
  total: number;
  lowBalance: boolean;
  hasPurchasedBefore: boolean;
}

export interface ClientFilter {
  q?: string;
  lowBalance?: boolean;
  id?: number[];
}

export const CLIENT_SORTS = {
  id: 'u.id',
  lastName: 'lower(u.last_name)',
  firstName: 'lower(u.first_name)',
  email: 'u.email',
  availableSessions: 'cb.available',
  createdAt: 'u.created_at',
} as const;

/** Matches email, first name, last name or "first last", case-insensitively. */
function searchPeople(where: Where, q: string | undefined): void {
  if (!q) return;
  const pattern = containing(q);
  where.add(`(u.email ilike ? or u.first_name ilike ? or u.last_name ilike ? or (u.first_name || ' ' || u.last_name) ilike ?)`,
    pattern, pattern, pattern, pattern);
}

export async function clientsPage(orm: Orm, request: PageRequest<ClientFilter>, lowBalanceThreshold: number): Promise<Page<AdminClientRow>> {
  const { filter } = request;
  const where = new Where();
  searchPeople(where, filter.q);
  if (filter.lowBalance !== undefined) where.add(filter.lowBalance ? 'cb.available <= ?' : 'cb.available > ?', lowBalanceThreshold);
  if (filter.id) where.add('u.id = any(?::int[])', intArray(filter.id));
  return listPage(orm, {
    columns: `u.id, u.email, u.first_name as "firstName", u.last_name as "lastName", u.phone, u.created_at as "createdAt",
      cb.available as "availableSessions", cb.scheduled, cb.completed, cb.cancelled, cb.total,
      cb.available <= ? as "lowBalance", u.has_purchased_before as "hasPurchasedBefore"`,
    columnParams: [lowBalanceThreshold],
    from: 'users u join client_balances cb on cb.client_id = u.id',
    sorts: CLIENT_SORTS,
    key: 'u.id',
  }, where, request);
}

/* ---- trainers ---- */

export interface AdminTrainerRow {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  phone: string | null;
}

export interface TrainerFilter {
  q?: string;
  id?: number[];
}

export const TRAINER_SORTS = {
  id: 'u.id',
  lastName: 'lower(u.last_name)',
  firstName: 'lower(u.first_name)',
  email: 'u.email',
} as const;

export async function trainersPage(orm: Orm, request: PageRequest<TrainerFilter>): Promise<Page<AdminTrainerRow>> {
  const where = new Where();
  where.add(`u.role = 'trainer'`);
  searchPeople(where, request.filter.q);
  if (request.filter.id) where.add('u.id = any(?::int[])', intArray(request.filter.id));
  return listPage(orm, {
    columns: `u.id, u.email, u.first_name as "firstName", u.last_name as "lastName", u.phone`,
    from: 'users u',
    sorts: TRAINER_SORTS,
    key: 'u.id',
  }, where, request);
}

/* ---- sessions ---- */

export type AdminSessionRow = SessionView;

export interface SessionFilter {
  trainerId?: number;
  status?: SessionStatus[];
  /** startsAt >= from */
  from?: Date;
  /** startsAt < to */
  to?: Date;
  id?: number[];
}

export const SESSION_SORTS = {
  id: 's.id',
  startsAt: 's.starts_at',
  endsAt: 's.ends_at',
  trainerId: 's.trainer_id',
  durationMinutes: 's.duration_minutes',
  capacity: 's.capacity',
  bookedCount: 's.booked_count',
  status: 's.status',
} as const;

export async function sessionsPage(orm: Orm, request: PageRequest<SessionFilter>): Promise<Page<AdminSessionRow>> {
  const { filter } = request;
  const where = new Where();
  if (filter.trainerId !== undefined) where.add('s.trainer_id = ?', filter.trainerId);
  if (filter.status) where.add('s.status = any(?::text[])', wordArray(filter.status));
  if (filter.from) where.add('s.starts_at >= ?', filter.from);
  if (filter.to) where.add('s.starts_at < ?', filter.to);
  if (filter.id) where.add('s.id = any(?::int[])', intArray(filter.id));
  return listPage(orm, {
    columns: SESSION_COLUMNS,
    from: SESSION_FROM,
    sorts: SESSION_SORTS,
    key: 's.id',
  }, where, request);
}

/* ---- bookings ---- */

export interface AdminBookingRow {
  id: number;
  sessionId: number;
  clientId: number;
  clientName: string;
  trainerId: number;
  status: BookingStatus;
  creditState: string;
  complimentary: boolean;
  startsAt: Date;
  bookedAt: Date;
  cancelledAt: Date | null;
  workflowId: string;
}

export interface BookingFilter {
  clientId?: number;
  sessionId?: number;
  /** The session's trainer: how a trainer's view is confined to their own sessions. */
  trainerId?: number;
  status?: BookingStatus[];
  id?: number[];
}

export const BOOKING_SORTS = {
  id: 'b.id',
  startsAt: 'b.starts_at',
  bookedAt: 'b.booked_at',
  cancelledAt: 'b.cancelled_at',
  status: 'b.status',
  clientId: 'b.client_id',
  sessionId: 'b.session_id',
} as const;

export async function bookingsPage(orm: Orm, request: PageRequest<BookingFilter>): Promise<Page<AdminBookingRow>> {
  const { filter } = request;
  const where = new Where();
  if (filter.clientId !== undefined) where.add('b.client_id = ?', filter.clientId);
  if (filter.sessionId !== undefined) where.add('b.session_id = ?', filter.sessionId);
  if (filter.trainerId !== undefined) where.add('s.trainer_id = ?', filter.trainerId);
  if (filter.status) where.add('b.status = any(?::text[])', wordArray(filter.status));
  if (filter.id) where.add('b.id = any(?::int[])', intArray(filter.id));
  return listPage(orm, {
    columns: `b.id, b.session_id as "sessionId", b.client_id as "clientId", trim(c.first_name || ' ' || c.last_name) as "clientName",
      s.trainer_id as "trainerId", b.status, b.credit_state as "creditState", b.complimentary, b.starts_at as "startsAt",
      b.booked_at as "bookedAt", b.cancelled_at as "cancelledAt", b.workflow_id as "workflowId"`,
    from: 'bookings b join training_sessions s on s.id = b.session_id join users c on c.id = b.client_id',
    sorts: BOOKING_SORTS,
    key: 'b.id',
  }, where, request);
}

/* ---- packages ---- */

export interface AdminPackageRow {
  id: number;
  name: string;
  sessions: number;
  priceCents: number;
  currency: string;
  validityDays: number | null;
  active: boolean;
  stripePriceId: string | null;
}

export interface PackageFilter {
  q?: string;
  active?: boolean;
  id?: number[];
}

export const PACKAGE_SORTS = {
  id: 'p.id',
  name: 'lower(p.name)',
  sessions: 'p.sessions',
  priceCents: 'p.price_cents',
  currency: 'p.currency',
  validityDays: 'p.validity_days',
  active: 'p.active',
} as const;

const PACKAGE_COLUMNS = `p.id, p.name, p.sessions, p.price_cents as "priceCents", p.currency, p.validity_days as "validityDays",
  p.active, p.stripe_price_id as "stripePriceId"`;

export async function packagesPage(orm: Orm, request: PageRequest<PackageFilter>): Promise<Page<AdminPackageRow>> {
  const { filter } = request;
  const where = new Where();
  if (filter.q) where.add('p.name ilike ?', containing(filter.q));
  if (filter.active !== undefined) where.add('p.active = ?', filter.active);
  if (filter.id) where.add('p.id = any(?::int[])', intArray(filter.id));
  return listPage(orm, { columns: PACKAGE_COLUMNS, from: 'packages p', sorts: PACKAGE_SORTS, key: 'p.id' }, where, request);
}

export interface PackageDraft {
  name: string;
  sessions: number;
  priceCents: number;
  currency: string;
  validityDays: number | null;
  active: boolean;
  stripePriceId: string | null;
}

/** Field → column, the whitelist an update's SET clause is built from. */
const PACKAGE_FIELDS: Record<keyof PackageDraft, string> = {
  name: 'name',
  sessions: 'sessions',
  priceCents: 'price_cents',
  currency: 'currency',
  validityDays: 'validity_days',
  active: 'active',
  stripePriceId: 'stripe_price_id',
};

export async function createPackage(orm: Orm, draft: PackageDraft): Promise<AdminPackageRow> {
  const [row] = await query<AdminPackageRow & Row>(orm,
    `insert into packages as p (name, sessions, price_cents, currency, validity_days, active, stripe_price_id)
       values (?, ?, ?, ?, ?, ?, ?) returning ${PACKAGE_COLUMNS}`,
    [draft.name, draft.sessions, draft.priceCents, draft.currency, draft.validityDays, draft.active, draft.stripePriceId]);
  return row!;
}

/** Changes the given fields; undefined when there is no such package. */
export async function updatePackage(orm: Orm, id: number, changes: Partial<PackageDraft>): Promise<AdminPackageRow | undefined> {
  const set: string[] = [];
  const params: unknown[] = [];
  for (const field of Object.keys(PACKAGE_FIELDS) as (keyof PackageDraft)[]) {
    if (changes[field] === undefined) continue;
    set.push(`${PACKAGE_FIELDS[field]} = ?`);
    params.push(changes[field]);
  }
  if (set.length === 0) {
    const [row] = await query<AdminPackageRow & Row>(orm, `select ${PACKAGE_COLUMNS} from packages p where p.id = ?`, [id]);
    return row;
  }
  const [row] = await query<AdminPackageRow & Row>(orm,
    `update packages as p set ${set.join(', ')} where p.id = ? returning ${PACKAGE_COLUMNS}`, [...params, id]);
  return row;
}

/** Packages are never deleted (purchases point at them): retiring one takes it off sale. */
export async function retirePackage(orm: Orm, id: number): Promise<AdminPackageRow | undefined> {
  return updatePackage(orm, id, { active: false });
}

/* ---- purchases ---- */

export interface AdminPurchaseRow {
  id: number;
  clientId: number;
  packageId: number;
  sessions: number;
  amountCents: number;
  currency: string;
  status: PurchaseStatus;
  refundedCents: number;
  refundedSessions: number;
  sessionsOwed: number;
  disputeStatus: string | null;
  stripeCheckoutSessionId: string | null;
  stripePaymentIntentId: string | null;
  workflowId: string | null;
  createdAt: Date;
  paidAt: Date | null;
}

export interface PurchaseFilter {
  clientId?: number;
  packageId?: number;
  status?: PurchaseStatus[];
  id?: number[];
}

export const PURCHASE_SORTS = {
  id: 'p.id',
  createdAt: 'p.created_at',
  paidAt: 'p.paid_at',
  amountCents: 'p.amount_cents',
  status: 'p.status',
  clientId: 'p.client_id',
} as const;

export async function purchasesPage(orm: Orm, request: PageRequest<PurchaseFilter>): Promise<Page<AdminPurchaseRow>> {
  const { filter } = request;
  const where = new Where();
  if (filter.clientId !== undefined) where.add('p.client_id = ?', filter.clientId);
  if (filter.packageId !== undefined) where.add('p.package_id = ?', filter.packageId);
  if (filter.status) where.add('p.status = any(?::text[])', wordArray(filter.status));
  if (filter.id) where.add('p.id = any(?::int[])', intArray(filter.id));
  return listPage(orm, {
    columns: `p.id, p.client_id as "clientId", p.package_id as "packageId", p.sessions, p.amount_cents as "amountCents",
      p.currency, p.status, p.refunded_cents as "refundedCents", p.refunded_sessions as "refundedSessions",
      p.sessions_owed as "sessionsOwed", p.dispute_status as "disputeStatus",
      p.stripe_checkout_session_id as "stripeCheckoutSessionId", p.stripe_payment_intent_id as "stripePaymentIntentId",
      p.workflow_id as "workflowId", p.created_at as "createdAt", p.paid_at as "paidAt"`,
    from: 'purchases p',
    sorts: PURCHASE_SORTS,
    key: 'p.id',
  }, where, request);
}

/* ---- ledger ---- */

export interface LedgerFilter {
  clientId?: number;
  kind?: LedgerKind[];
  /** createdAt >= from */
  from?: Date;
  /** createdAt < to */
  to?: Date;
  workflowId?: string;
  sessionId?: number;
  purchaseId?: number;
  id?: number[];
}

export const LEDGER_SORTS = {
  id: 'id',
  createdAt: 'created_at',
  clientId: 'client_id',
  kind: 'kind',
  delta: 'delta',
} as const;

export async function ledgerPage(orm: Orm, request: PageRequest<LedgerFilter>): Promise<Page<LedgerEntryRow>> {
  const { filter } = request;
  const where = new Where();
  if (filter.clientId !== undefined) where.add('client_id = ?', filter.clientId);
  if (filter.kind) where.add('kind = any(?::text[])', wordArray(filter.kind));
  if (filter.from) where.add('created_at >= ?', filter.from);
  if (filter.to) where.add('created_at < ?', filter.to);
  if (filter.workflowId) where.add('workflow_id = ?', filter.workflowId);
  if (filter.sessionId !== undefined) where.add('session_id = ?', filter.sessionId);
  if (filter.purchaseId !== undefined) where.add('purchase_id = ?', filter.purchaseId);
  if (filter.id) where.add('id = any(?::bigint[])', intArray(filter.id));
  return listPage(orm, { columns: ENTRY_COLUMNS, from: 'ledger_entries', sorts: LEDGER_SORTS, key: 'id' }, where, request);
}
