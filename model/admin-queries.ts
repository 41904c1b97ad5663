import { IsolationLevel, raw, type EntityManager, type QueryBuilder } from '@mikro-orm/postgresql';
import { checkedRead, type AccountCheck } from './account-check.js';
import { Booking, type BookingStatus } from './entities/booking.js';
import { ClientBalance } from './entities/client-balance.js';
import { CreditLot } from './entities/credit-lot.js';
import { LedgerEntry, type LedgerKind } from './entities/ledger-entry.js';
import { Notification, type NotificationState } from './entities/notification.js';
import { Package } from './entities/package.js';
import { Purchase, type PurchaseStatus } from './entities/purchase.js';
import { TrainingSession, type SessionStatus } from './entities/training-session.js';
import { User } from './entities/user.js';
import { DomainError, ErrorCode } from './errors.js';
import { entryRow, type LedgerEntryRow } from './ledger.js';
import { categoryOf, type NotificationView } from './notifications.js';
import type { Orm } from './orm.js';
import { packageOnSale, type PackageOnSale } from './purchases.js';
import { fullName, liveBookings, sessionView, type SessionView } from './schedule.js';
import { inSnapshot, PREPARED } from './transaction.js';

/**
 * The console's read side: one filtered, sorted, paged listing per admin resource, with
 * its total, each a QueryBuilder over the entities and their relations. Values travel as
 * bound parameters; a sort field becomes an ORDER BY only through the whitelists below.
 * Clients' figures come from the client_balances view entity, like every other screen.
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

/**
 * Sort field → what to order by: `alias.property` of an alias the listing joins, or, where
 * the order is not a column's own (names, case-insensitively), an SQL call over its columns,
 * told apart by its parentheses.
 */
type Sorts = Readonly<Record<string, string>>;

/** `%text%` for ILIKE, with the pattern's own wildcards taken literally. */
function containing(text: string): string {
  return `%${text.replace(/[\\%_]/g, (char) => `\\${char}`)}%`;
}

const caseInsensitive = (column: string) => `lower(${column})`;

/**
 * Orders, pages and runs a listing. The rows and their total are read in one
 * repeatable-read transaction, so the page and its Content-Range total agree.
 */
async function listPage<E extends object, T>(
  orm: Orm,
  build: (em: EntityManager) => QueryBuilder<E, string>,
  sorts: Sorts,
  key: string,
  request: PageRequest<unknown>,
  toRow: (entity: E) => T,
): Promise<Page<T>> {
  const orderBy = Object.hasOwn(sorts, request.sort.field) ? sorts[request.sort.field] : undefined;
  if (!orderBy) throw new DomainError(ErrorCode.InvalidRequest, `Cannot sort by "${request.sort.field}".`);
  const direction = request.sort.order === 'DESC' ? 'desc' : 'asc';
  const field = orderBy.includes('(') ? raw(orderBy) : orderBy;
  const [entities, total] = await orm.em.fork().transactional(
    async (em): Promise<[E[], number]> => {
      const page = await build(em)
        .orderBy([{ [field]: `${direction} nulls last` }, { [key]: direction }])
        .limit(request.limit)
        .offset(request.offset)
        .getResultList();
      // A page that comes back short is the last one: its total needs no count of every matching row.
      if (page.length < request.limit && (page.length > 0 || request.offset === 0)) return [page, request.offset + page.length];
      return [page, await build(em).getCount()];
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
  );
  return { rows: entities.map(toRow), total };
}

/** Rows an export reads at a time: its memory stays this size whatever the table's. */
const EXPORT_BATCH = 1_000;

/**
 * Every row a listing's filter matches, in id order, one batch at a time by keyset inside
 * a single repeatable-read snapshot: an export of any size in bounded memory, and one
 * consistent picture of the books however long it streams.
 */
async function* everyRow<E extends { id: number }, T>(
  orm: Orm,
  build: (em: EntityManager) => QueryBuilder<E, string>,
  toRow: (entity: E) => T,
): AsyncGenerator<T> {
  const em = orm.em.fork();
  await em.begin({ isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true });
  try {
    let after = 0;
    for (;;) {
      const batch = await build(em)
        .andWhere({ id: { $gt: after } } as never)
        .orderBy({ id: 'asc' } as never)
        .limit(EXPORT_BATCH)
        .getResultList();
      for (const entity of batch) yield toRow(entity);
      if (batch.length < EXPORT_BATCH) break;
      after = batch[batch.length - 1]!.id;
      em.clear();
    }
  } finally {
    await em.rollback();
  }
}

/**
 * Matches email, first name, last name or "first last", case-insensitively. Text found in
 * either name is found in "first last" (both are never null), so two patterns test all four.
 */
function searchPeople(alias: string, q: string | undefined): object {
  if (!q) return {};
  const pattern = containing(q);
  return {
    $or: [
      { [`${alias}.email`]: { $ilike: pattern } },
      { [raw(`(${alias}.first_name || ' ' || ${alias}.last_name)`)]: { $ilike: pattern } },
    ],
  };
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
  held: number;
  consumed: number;
  cancelled: number;
  total: number;
  lowBalance: boolean;
  hasPurchasedBefore: boolean;
  active: boolean;
}

export interface ClientFilter {
  q?: string;
  lowBalance?: boolean;
  id?: number[];
}

/** SQL of each sortable column of the clients list (the console's default: last name). */
export const CLIENT_SORTS = {
  id: 'u.id',
  lastName: caseInsensitive('u.last_name'),
  firstName: caseInsensitive('u.first_name'),
  email: 'u.email',
  availableSessions: 'cb.available',
  createdAt: 'u.created_at',
} as const;

/**
 * The clients list, in SQL: the busiest of the console's lists, read at every visit of the
 * front desk. Through the ORM its page cost 14 ms at a studio's size, mostly hydrating
 * entities; as one statement in the sort's own index order it reads just the page.
 */
export async function clientsPage(
  orm: Orm,
  request: PageRequest<ClientFilter>,
  lowBalanceThreshold: number,
  check?: AccountCheck,
): Promise<Page<AdminClientRow>> {
  const { filter } = request;
  const orderBy = Object.hasOwn(CLIENT_SORTS, request.sort.field)
    ? CLIENT_SORTS[request.sort.field as keyof typeof CLIENT_SORTS]
    : undefined;
  if (!orderBy) throw new DomainError(ErrorCode.InvalidRequest, `Cannot sort by "${request.sort.field}".`);
  const direction = request.sort.order === 'DESC' ? 'desc' : 'asc';
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.q) {
    where.push(`(u.email ilike ? or (u.first_name || ' ' || u.last_name) ilike ?)`);
    params.push(containing(filter.q), containing(filter.q));
  }
  if (filter.lowBalance !== undefined) {
    where.push(`cb.available ${filter.lowBalance ? '<=' : '>'} ?`);
    params.push(lowBalanceThreshold);
  }
  if (filter.id) {
    where.push(`u.id = any(?::int[])`);
    params.push(`{${filter.id.join(',')}}`);
  }
  const from = `from client_balances cb join users u on u.id = cb.client_id ${where.length ? `where ${where.join(' and ')}` : ''}`;
  const pageSql = `select u.id, u.email, u.first_name as "firstName", u.last_name as "lastName", u.phone, u.created_at as "createdAt",
                          cb.available as "availableSessions", cb.held, cb.consumed, cb.cancelled, cb.total,
                          u.has_purchased_before as "hasPurchasedBefore", u.active
                     ${from}
                    order by ${orderBy} ${direction} nulls last, u.id ${direction}
                    limit ? offset ?`;
  const withLowBalance = (page: Omit<AdminClientRow, 'lowBalance'>[]) =>
    page.map((row) => ({ ...row, lowBalance: row.availableSessions <= lowBalanceThreshold }));
  if (where.length === 0) {
    // Every client: the kept count is the total, read in the page's own statement and snapshot.
    const page = await checkedRead<Omit<AdminClientRow, 'lowBalance'> & { clientCount: number }>(
      orm,
      check,
      `select p.*, c.clients as "clientCount" from client_count c left join (${pageSql}) p on true`,
      [request.limit, request.offset],
    );
    const total = page[0]!.clientCount;
    const rows = page[0]!.id === null ? [] : page.map(({ clientCount: _, ...row }) => row);
    return { rows: withLowBalance(rows), total };
  }
  const [rows, total] = await inSnapshot(orm, async (sql): Promise<[AdminClientRow[], number]> => {
    const page = withLowBalance(
      await sql<Omit<AdminClientRow, 'lowBalance'>>(pageSql, [...params, request.limit, request.offset], PREPARED),
    );
    // A page that comes back short is the last one: its total needs no count of every matching row.
    if (page.length < request.limit && (page.length > 0 || request.offset === 0)) return [page, request.offset + page.length];
    const [count] = await sql<{ n: number }>(`select count(*)::int as n ${from}`, params, PREPARED);
    return [page, count!.n];
  });
  return { rows, total };
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
  lastName: caseInsensitive('u.last_name'),
  firstName: caseInsensitive('u.first_name'),
  email: 'u.email',
} as const;

export async function trainersPage(orm: Orm, request: PageRequest<TrainerFilter>): Promise<Page<AdminTrainerRow>> {
  const { filter } = request;
  return listPage(
    orm,
    (em) =>
      em.createQueryBuilder(User, 'u').where({
        role: 'trainer',
        ...searchPeople('u', filter.q),
        ...(filter.id ? { id: { $in: filter.id } } : {}),
      }),
    TRAINER_SORTS,
    'u.id',
    request,
    (user) => ({
      id: user.id,
      email: user.email,
      firstName: user.firstName,
      lastName: user.lastName,
      phone: user.phone ?? null,
    }),
  );
}

/* ---- staff ---- */

export const STAFF_ROLES = ['admin', 'trainer'] as const;
export type StaffRole = (typeof STAFF_ROLES)[number];

export interface AdminStaffRow {
  id: number;
  email: string;
  firstName: string;
  lastName: string;
  phone: string | null;
  role: StaffRole;
  active: boolean;
  lastSignedInAt: Date | null;
  createdAt: Date;
}

export interface StaffFilter {
  q?: string;
  role?: StaffRole[];
  active?: boolean;
  id?: number[];
}

export const STAFF_SORTS = {
  id: 'u.id',
  lastName: caseInsensitive('u.last_name'),
  firstName: caseInsensitive('u.first_name'),
  email: 'u.email',
  role: 'u.role',
  active: 'u.active',
  lastSignedInAt: 'u.lastSignedInAt',
  createdAt: 'u.createdAt',
} as const;

/** The studio's staff: admins and trainers, active or not. */
export async function staffPage(orm: Orm, request: PageRequest<StaffFilter>): Promise<Page<AdminStaffRow>> {
  const { filter } = request;
  return listPage(
    orm,
    (em) =>
      em.createQueryBuilder(User, 'u').where({
        role: { $in: filter.role ?? [...STAFF_ROLES] },
        ...searchPeople('u', filter.q),
        ...(filter.active === undefined ? {} : { active: filter.active }),
        ...(filter.id ? { id: { $in: filter.id } } : {}),
      }),
    STAFF_SORTS,
    'u.id',
    request,
    staffRow,
  );
}

export function staffRow(user: User): AdminStaffRow {
  return {
    id: user.id,
    email: user.email,
    firstName: user.firstName,
    lastName: user.lastName,
    phone: user.phone ?? null,
    role: user.role as StaffRole,
    active: user.active,
    lastSignedInAt: user.lastSignedInAt ?? null,
    createdAt: user.createdAt,
  };
}

/* ---- finding a client to book ---- */

export interface BookableClient {
  id: number;
  firstName: string;
  lastName: string;
  email: string;
  availableSessions: number;
  lowBalance: boolean;
  /** Already holds a live booking in the session. */
  alreadyBooked: boolean;
}

/**
 * Active clients matching a name or email, with their balance from client_balances and
 * whether they are already in the session: what a booking picker needs, nothing more.
 */
export async function findClientsToBook(
  orm: Orm,
  { sessionId, q, limit, lowBalanceThreshold }: { sessionId: number; q: string | undefined; limit: number; lowBalanceThreshold: number },
): Promise<BookableClient[]> {
  const em = orm.em.fork();
  const balances = await em
    .createQueryBuilder(ClientBalance, 'cb')
    .joinAndSelect('cb.client', 'u')
    .where({ 'u.active': true, ...searchPeople('u', q) })
    .orderBy([{ [raw(caseInsensitive('u.last_name'))]: 'asc' }, { [raw(caseInsensitive('u.first_name'))]: 'asc' }, { 'u.id': 'asc' }])
    .limit(limit)
    .getResultList();
  // A session holds at most its capacity (≤ 100) of live bookings.
  const booked = new Set((await liveBookings(orm, sessionId)).map((booking) => booking.clientId));
  return balances.map(({ client, available }) => ({
    id: client.id,
    firstName: client.firstName,
    lastName: client.lastName,
    email: client.email,
    availableSessions: available,
    lowBalance: available <= lowBalanceThreshold,
    alreadyBooked: booked.has(client.id),
  }));
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
  startsAt: 's.startsAt',
  endsAt: 's.endsAt',
  trainerId: 's.trainer',
  durationMinutes: 's.durationMinutes',
  capacity: 's.capacity',
  bookedCount: 's.bookedCount',
  status: 's.status',
} as const;

export async function sessionsPage(orm: Orm, request: PageRequest<SessionFilter>): Promise<Page<AdminSessionRow>> {
  const { filter } = request;
  return listPage(
    orm,
    (em) =>
      em
        .createQueryBuilder(TrainingSession, 's')
        .joinAndSelect('s.trainer', 't')
        .where({
          ...(filter.trainerId === undefined ? {} : { trainer: filter.trainerId }),
          ...(filter.status ? { status: { $in: filter.status } } : {}),
          ...(filter.from || filter.to
            ? { startsAt: { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) } }
            : {}),
          ...(filter.id ? { id: { $in: filter.id } } : {}),
        }),
    SESSION_SORTS,
    's.id',
    request,
    sessionView,
  );
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
  startsAt: 'b.startsAt',
  bookedAt: 'b.bookedAt',
  cancelledAt: 'b.cancelledAt',
  status: 'b.status',
  clientId: 'b.client',
  sessionId: 'b.session',
} as const;

const bookingsMatching = (filter: BookingFilter) => (em: EntityManager) =>
  em
    .createQueryBuilder(Booking, 'b')
    .joinAndSelect('b.session', 's')
    .joinAndSelect('b.client', 'c')
    .where({
      ...(filter.clientId === undefined ? {} : { client: filter.clientId }),
      ...(filter.sessionId === undefined && filter.trainerId === undefined
        ? {}
        : {
            session: {
              ...(filter.sessionId === undefined ? {} : { id: filter.sessionId }),
              ...(filter.trainerId === undefined ? {} : { trainer: filter.trainerId }),
            },
          }),
      ...(filter.status ? { status: { $in: filter.status } } : {}),
      ...(filter.id ? { id: { $in: filter.id } } : {}),
    });

const bookingRow = (booking: Booking): AdminBookingRow => ({
  id: booking.id,
  sessionId: booking.session.id,
  clientId: booking.client.id,
  clientName: fullName(booking.client),
  trainerId: booking.session.trainer.id,
  status: booking.status,
  creditState: booking.creditState,
  complimentary: booking.complimentary,
  startsAt: booking.startsAt,
  bookedAt: booking.bookedAt,
  cancelledAt: booking.cancelledAt ?? null,
  workflowId: booking.workflowId,
});

export function bookingsPage(orm: Orm, request: PageRequest<BookingFilter>): Promise<Page<AdminBookingRow>> {
  return listPage(orm, bookingsMatching(request.filter), BOOKING_SORTS, 'b.id', request, bookingRow);
}

export const everyBooking = (orm: Orm, filter: BookingFilter) => everyRow(orm, bookingsMatching(filter), bookingRow);

/* ---- packages ---- */

/** The store's view of a package, and whether it is on sale. */
export interface AdminPackageRow extends PackageOnSale {
  active: boolean;
}

export interface PackageFilter {
  q?: string;
  active?: boolean;
  id?: number[];
}

export const PACKAGE_SORTS = {
  id: 'p.id',
  name: caseInsensitive('p.name'),
  sessions: 'p.sessions',
  priceCents: 'p.priceCents',
  currency: 'p.currency',
  validityDays: 'p.validityDays',
  active: 'p.active',
} as const;

function packageRow(pkg: Package): AdminPackageRow {
  return { ...packageOnSale(pkg), active: pkg.active };
}

export async function packagesPage(orm: Orm, request: PageRequest<PackageFilter>): Promise<Page<AdminPackageRow>> {
  const { filter } = request;
  return listPage(
    orm,
    (em) =>
      em.createQueryBuilder(Package, 'p').where({
        ...(filter.q ? { name: { $ilike: containing(filter.q) } } : {}),
        ...(filter.active === undefined ? {} : { active: filter.active }),
        ...(filter.id ? { id: { $in: filter.id } } : {}),
      }),
    PACKAGE_SORTS,
    'p.id',
    request,
    packageRow,
  );
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

export async function createPackage(orm: Orm, draft: PackageDraft): Promise<AdminPackageRow> {
  const em = orm.em.fork();
  const pkg = em.create(Package, draft);
  await em.flush();
  return packageRow(pkg);
}

/** Changes the given fields; undefined when there is no such package. */
export async function updatePackage(orm: Orm, id: number, changes: Partial<PackageDraft>): Promise<AdminPackageRow | undefined> {
  const em = orm.em.fork();
  const pkg = await em.findOne(Package, { id });
  if (!pkg) return undefined;
  em.assign(pkg, Object.fromEntries(Object.entries(changes).filter(([, value]) => value !== undefined)));
  await em.flush();
  return packageRow(pkg);
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
  createdAt: 'p.createdAt',
  paidAt: 'p.paidAt',
  amountCents: 'p.amountCents',
  status: 'p.status',
  clientId: 'p.client',
} as const;

const purchasesMatching = (filter: PurchaseFilter) => (em: EntityManager) =>
  em.createQueryBuilder(Purchase, 'p').where({
    ...(filter.clientId === undefined ? {} : { client: filter.clientId }),
    ...(filter.packageId === undefined ? {} : { package: filter.packageId }),
    ...(filter.status ? { status: { $in: filter.status } } : {}),
    ...(filter.id ? { id: { $in: filter.id } } : {}),
  });

const purchaseRow = (purchase: Purchase): AdminPurchaseRow => ({
  id: purchase.id,
  clientId: purchase.client.id,
  packageId: purchase.package.id,
  sessions: purchase.sessions,
  amountCents: purchase.amountCents,
  currency: purchase.currency,
  status: purchase.status,
  refundedCents: purchase.refundedCents,
  refundedSessions: purchase.refundedSessions,
  sessionsOwed: purchase.sessionsOwed,
  disputeStatus: purchase.disputeStatus ?? null,
  stripeCheckoutSessionId: purchase.stripeCheckoutSessionId ?? null,
  stripePaymentIntentId: purchase.stripePaymentIntentId ?? null,
  workflowId: purchase.workflowId ?? null,
  createdAt: purchase.createdAt,
  paidAt: purchase.paidAt ?? null,
});

export function purchasesPage(orm: Orm, request: PageRequest<PurchaseFilter>): Promise<Page<AdminPurchaseRow>> {
  return listPage(orm, purchasesMatching(request.filter), PURCHASE_SORTS, 'p.id', request, purchaseRow);
}

export const everyPurchase = (orm: Orm, filter: PurchaseFilter) => everyRow(orm, purchasesMatching(filter), purchaseRow);

/* ---- credit lots ---- */

export interface AdminLotRow {
  id: number;
  clientId: number;
  source: string;
  purchaseId: number | null;
  quantity: number;
  /** 0 once the lot has passed its expiry, even before its `expire` entry is written: no read counts an expired credit. */
  remaining: number;
  expiresAt: Date | null;
  expired: boolean;
  createdAt: Date;
}

export interface LotFilter {
  clientId?: number;
  id?: number[];
}

export const LOT_SORTS = {
  id: 'l.id',
  expiresAt: 'l.expiresAt',
  createdAt: 'l.createdAt',
  remaining: 'l.remaining',
} as const;

export async function lotsPage(orm: Orm, request: PageRequest<LotFilter>): Promise<Page<AdminLotRow>> {
  const { filter } = request;
  const now = Date.now();
  return listPage(
    orm,
    (em) =>
      em.createQueryBuilder(CreditLot, 'l').where({
        ...(filter.clientId === undefined ? {} : { client: filter.clientId }),
        ...(filter.id ? { id: { $in: filter.id } } : {}),
      }),
    LOT_SORTS,
    'l.id',
    request,
    (lot) => {
      const expired = lot.expiresAt !== null && lot.expiresAt !== undefined && lot.expiresAt.getTime() <= now;
      return {
        id: lot.id,
        clientId: lot.client.id,
        source: lot.source,
        purchaseId: lot.purchase?.id ?? null,
        quantity: lot.quantity,
        remaining: expired ? 0 : lot.remaining,
        expiresAt: lot.expiresAt ?? null,
        expired,
        createdAt: lot.createdAt,
      };
    },
  );
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
  id: 'e.id',
  createdAt: 'e.createdAt',
  clientId: 'e.client',
  kind: 'e.kind',
  delta: 'e.delta',
} as const;

const entriesMatching = (filter: LedgerFilter) => (em: EntityManager) =>
  em.createQueryBuilder(LedgerEntry, 'e').where({
    ...(filter.clientId === undefined ? {} : { client: filter.clientId }),
    ...(filter.kind ? { kind: { $in: filter.kind } } : {}),
    ...(filter.from || filter.to
      ? { createdAt: { ...(filter.from ? { $gte: filter.from } : {}), ...(filter.to ? { $lt: filter.to } : {}) } }
      : {}),
    ...(filter.workflowId ? { workflowId: filter.workflowId } : {}),
    ...(filter.sessionId === undefined ? {} : { session: filter.sessionId }),
    ...(filter.purchaseId === undefined ? {} : { purchase: filter.purchaseId }),
    ...(filter.id ? { id: { $in: filter.id } } : {}),
  });

export function ledgerPage(orm: Orm, request: PageRequest<LedgerFilter>): Promise<Page<LedgerEntryRow>> {
  return listPage(orm, entriesMatching(request.filter), LEDGER_SORTS, 'e.id', request, entryRow);
}

export const everyEntry = (orm: Orm, filter: LedgerFilter) => everyRow(orm, entriesMatching(filter), entryRow);

/* ---- notifications ---- */

export interface NotificationFilter {
  clientId?: number;
  state?: NotificationState[];
  id?: number[];
}

export const NOTIFICATION_SORTS = {
  id: 'n.id',
  createdAt: 'n.createdAt',
  sentAt: 'n.sentAt',
  kind: 'n.kind',
  state: 'n.state',
} as const;

export async function notificationsPage(orm: Orm, request: PageRequest<NotificationFilter>): Promise<Page<NotificationView>> {
  const { filter } = request;
  return listPage(
    orm,
    (em) =>
      em.createQueryBuilder(Notification, 'n').where({
        ...(filter.clientId === undefined ? {} : { user: filter.clientId }),
        ...(filter.state ? { state: { $in: filter.state } } : {}),
        ...(filter.id ? { id: { $in: filter.id } } : {}),
      }),
    NOTIFICATION_SORTS,
    'n.id',
    request,
    (row) => ({
      id: Number(row.id),
      clientId: row.user.id,
      kind: row.kind,
      category: categoryOf(row.kind),
      state: row.state,
      subject: row.subject ?? null,
      attempts: row.attempts,
      lastError: row.lastError ?? null,
      createdAt: row.createdAt,
      lastAttemptAt: row.lastAttemptAt ?? null,
      sentAt: row.sentAt ?? null,
    }),
  );
}
