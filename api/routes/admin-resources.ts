import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Settings } from '../../config/settings.js';
import {
  BOOKING_SORTS,
  bookingsPage,
  CLIENT_SORTS,
  clientsPage,
  createPackage,
  everyBooking,
  everyEntry,
  everyPurchase,
  LEDGER_SORTS,
  ledgerPage,
  LOT_SORTS,
  lotsPage,
  NOTIFICATION_SORTS,
  notificationsPage,
  PACKAGE_SORTS,
  packagesPage,
  PURCHASE_SORTS,
  purchasesPage,
  retirePackage,
  SESSION_SORTS,
  sessionsPage,
  STAFF_ROLES,
  STAFF_SORTS,
  staffPage,
  TRAINER_SORTS,
  trainersPage,
  updatePackage,
  type Page,
  type PageRequest,
  type Sort,
} from '../../model/admin-queries.js';
import type { AccountCheck } from '../../model/account-check.js';
import { BOOKING_STATUSES } from '../../model/entities/booking.js';
import { LEDGER_KINDS } from '../../model/entities/ledger-entry.js';
import { NOTIFICATION_STATES } from '../../model/entities/notification.js';
import { PURCHASE_STATUSES } from '../../model/entities/purchase.js';
import { SESSION_STATUSES } from '../../model/entities/training-session.js';
import type { Role } from '../../model/entities/user.js';
import { waitlistGlances } from '../../model/waitlist.js';
import {
  contentRange,
  filters,
  ListQuerystring,
  MAX_ROWS,
  parseFilter,
  parseListRequest,
  type Filter,
  type FilterSpec,
} from '../admin/simple-rest.js';
import { csvLines } from '../csv.js';
import type { RouteDependencies } from '../dependencies.js';
import { accountCheckOf, currentUserId, requireRole } from '../auth/guard.js';
import { HttpError } from '../errors.js';

/** The signed-in staff member a listing is for. */
interface Viewer {
  id: number;
  role: Role;
  /** The viewer's account check, on a route that leaves it to its read (api/auth/guard.ts). */
  accountCheck?: AccountCheck | undefined;
}

/** Every resource filters by id: getMany and getOne read through it. */
type ResourceFilters = FilterSpec & { id: typeof filters.ids };

/** One read-only resource of the console: who may read it, how it sorts and filters, and its query. */
interface ReadResource<S extends ResourceFilters, T> {
  name: string;
  description: string;
  roles: Role[];
  sorts: Readonly<Record<string, string>>;
  defaultSort: Sort;
  filters: S;
  list(request: PageRequest<Filter<S>>, viewer: Viewer): Promise<Page<T>>;
  present?(row: T): unknown;
  /** Served as `<name>.csv` too: every matching row, in id order, with these columns. */
  csv?: { columns: ReadonlyArray<keyof T & string>; rows(filter: Filter<S>, viewer: Viewer): AsyncIterable<T> };
}

const CsvQuerystring = Type.Object(
  { filter: Type.Optional(Type.String({ description: 'JSON object of filters, as the list takes', examples: ['{}'] })) },
  { additionalProperties: false },
);

/** The workflow's page in the Temporal UI, where ops read its history (docs/workflows.md). */
export function workflowUrl(temporal: Settings['temporal'], workflowId: string | null): string | null {
  if (!workflowId) return null;
  return `${temporal.uiUrl}/namespaces/${encodeURIComponent(temporal.namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** Trainers see only their own sessions and the bookings in them, whatever filter they send. */
function ownSessionsOnly(viewer: Viewer): { trainerId?: number } {
  return viewer.role === 'trainer' ? { trainerId: viewer.id } : {};
}

// Built once, outside the resource literals, so TypeScript infers each resource's filter types from them.
const sessionStatus = filters.oneOf(SESSION_STATUSES);
const bookingStatus = filters.oneOf(BOOKING_STATUSES);
const purchaseStatus = filters.oneOf(PURCHASE_STATUSES);
const ledgerKind = filters.oneOf(LEDGER_KINDS);
const staffRole = filters.oneOf(STAFF_ROLES);
const notificationState = filters.oneOf(NOTIFICATION_STATES);

/** Every admin table's key is an int4 (the ledger's bigint ids are far from its range). */
const IdParams = Type.Object({ id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

const PackageFields = {
  name: Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' }),
  sessions: Type.Integer({ minimum: 1, maximum: 1000 }),
  priceCents: Type.Integer({ minimum: 0, maximum: 2_147_483_647 }),
  currency: Type.String({ pattern: '^[a-z]{3}$', description: 'ISO 4217, lower case (usd)' }),
  // Type arrays, not anyOf: with the app's type coercion an anyOf would quietly turn an invalid 0 into null.
  validityDays: Type.Unsafe<number | null>({
    type: ['integer', 'null'],
    minimum: 1,
    maximum: 36_500,
    description: 'null: credits never expire',
  }),
  active: Type.Boolean(),
  stripePriceId: Type.Unsafe<string | null>({ type: ['string', 'null'], minLength: 1, maxLength: 255 }),
};

/**
 * The console's resources under /api/admin in the ra-data-simple-rest protocol (see
 * ../admin/simple-rest.ts). Reads only, except packages; bookings and sessions change
 * through their workflows' routes, purchases through Stripe and the refund route.
 */
export async function adminResourceRoutes(app: FastifyInstance, { orm, settings }: RouteDependencies): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const linked = <T extends { workflowId: string | null }>(row: T) => ({
    ...row,
    workflowUrl: workflowUrl(settings.temporal, row.workflowId),
  });
  const viewerOf = (request: FastifyRequest): Viewer => ({
    id: currentUserId(request),
    role: request.user.role,
    accountCheck: accountCheckOf(request),
  });

  function readResource<S extends ResourceFilters, T>(resource: ReadResource<S, T>): void {
    const sortable = Object.keys(resource.sorts);
    const present = resource.present ?? ((row: T) => row);
    const tags = ['admin'];

    api.get(
      `/api/admin/${resource.name}`,
      {
        preHandler: requireRole(...resource.roles),
        config: { accountCheckInRead: true },
        schema: {
          tags,
          summary: `List ${resource.name} (react-admin simple REST)`,
          description:
            `${resource.description} Sortable by ${sortable.join(', ')}; filters: ${Object.keys(resource.filters).join(', ')}. ` +
            `Answers a JSON array and Content-Range: ${resource.name} first-last/total; at most ${MAX_ROWS} rows.`,
          querystring: ListQuerystring,
        },
      },
      async (request, reply) => {
        const page = parseListRequest(request.query, { sortable, defaultSort: resource.defaultSort, filters: resource.filters });
        const { rows, total } = await resource.list(page, viewerOf(request));
        reply.header('Content-Range', contentRange(resource.name, page.offset, rows.length, total));
        return rows.map(present);
      },
    );

    const { csv } = resource;
    if (csv) {
      api.get(
        `/api/admin/${resource.name}.csv`,
        {
          preHandler: requireRole(...resource.roles),
          schema: {
            tags,
            summary: `Export ${resource.name} as CSV`,
            description: `Every row the filter matches (${Object.keys(resource.filters).join(', ')}), streamed in id order from one consistent snapshot.`,
            querystring: CsvQuerystring,
          },
        },
        async (request, reply) => {
          const filter = parseFilter(request.query.filter, resource.filters);
          const day = new Date().toISOString().slice(0, 10);
          return reply
            .type('text/csv; charset=utf-8')
            .header('Content-Disposition', `attachment; filename="${resource.name}-${day}.csv"`)
            .send(Readable.from(csvLines<T>(csv.columns, csv.rows(filter, viewerOf(request)))));
        },
      );
    }

    api.get(
      `/api/admin/${resource.name}/:id`,
      {
        preHandler: requireRole(...resource.roles),
        schema: { tags, summary: `One of ${resource.name}`, params: IdParams },
      },
      async (request) => {
        const { rows } = await resource.list(
          { filter: { id: [request.params.id] } as Filter<S>, sort: resource.defaultSort, offset: 0, limit: 1 },
          viewerOf(request),
        );
        const [row] = rows;
        if (row === undefined) throw new HttpError(404, 'NOT_FOUND', `No ${resource.name} record ${request.params.id}.`);
        return present(row);
      },
    );
  }

  readResource({
    name: 'clients',
    description: "Clients with their figures, read from the ledger's client_balances view like every other screen.",
    roles: ['admin'],
    sorts: CLIENT_SORTS,
    defaultSort: { field: 'lastName', order: 'ASC' },
    filters: { q: filters.text, lowBalance: filters.boolean, id: filters.ids },
    list: (request, viewer) => clientsPage(orm, request, settings.policies.lowBalanceThreshold, viewer.accountCheck),
  });

  readResource({
    name: 'trainers',
    description: 'Trainers.',
    roles: ['admin'],
    sorts: TRAINER_SORTS,
    defaultSort: { field: 'lastName', order: 'ASC' },
    filters: { q: filters.text, id: filters.ids },
    list: (request) => trainersPage(orm, request),
  });

  readResource({
    name: 'staff',
    description:
      'Admins and trainers, active or deactivated, with when each last signed in. Changes go through /api/admin/staff and /api/admin/users.',
    roles: ['admin'],
    sorts: STAFF_SORTS,
    defaultSort: { field: 'lastName', order: 'ASC' },
    filters: { q: filters.text, role: staffRole, active: filters.boolean, id: filters.ids },
    list: (request) => staffPage(orm, request),
  });

  readResource({
    name: 'sessions',
    description: 'The schedule (from/to bound startsAt). Trainers see their own sessions only. Changes go through /api/sessions.',
    roles: ['admin', 'trainer'],
    sorts: SESSION_SORTS,
    defaultSort: { field: 'startsAt', order: 'ASC' },
    filters: { trainerId: filters.id, status: sessionStatus, from: filters.instant, to: filters.instant, id: filters.ids },
    list: async (request, viewer) => {
      const page = await sessionsPage(orm, { ...request, filter: { ...request.filter, ...ownSessionsOnly(viewer) } });
      // The schedule shows how many wait for a full session's seat.
      const glances = await waitlistGlances(
        orm,
        page.rows.map((row) => row.id),
      );
      return { ...page, rows: page.rows.map((row) => ({ ...row, waitlistCount: glances.get(row.id)?.waiting ?? 0 })) };
    },
  });

  readResource({
    name: 'bookings',
    description: 'Bookings, each linked to its book-to-deduct workflow. Trainers see bookings in their own sessions only.',
    roles: ['admin', 'trainer'],
    sorts: BOOKING_SORTS,
    defaultSort: { field: 'id', order: 'DESC' },
    filters: { clientId: filters.id, sessionId: filters.id, trainerId: filters.id, status: bookingStatus, id: filters.ids },
    list: (request, viewer) => bookingsPage(orm, { ...request, filter: { ...request.filter, ...ownSessionsOnly(viewer) } }),
    present: linked,
    csv: {
      columns: [
        'id',
        'sessionId',
        'clientId',
        'clientName',
        'trainerId',
        'status',
        'creditState',
        'complimentary',
        'startsAt',
        'bookedAt',
        'cancelledAt',
        'workflowId',
      ],
      rows: (filter, viewer) => everyBooking(orm, { ...filter, ...ownSessionsOnly(viewer) }),
    },
  });

  readResource({
    name: 'packages',
    description: 'Packages, on sale or retired.',
    roles: ['admin'],
    sorts: PACKAGE_SORTS,
    defaultSort: { field: 'name', order: 'ASC' },
    filters: { q: filters.text, active: filters.boolean, id: filters.ids },
    list: (request) => packagesPage(orm, request),
  });

  readResource({
    name: 'purchases',
    description: 'Purchases, each linked to its purchase-to-credit workflow.',
    roles: ['admin'],
    sorts: PURCHASE_SORTS,
    defaultSort: { field: 'createdAt', order: 'DESC' },
    filters: { clientId: filters.id, packageId: filters.id, status: purchaseStatus, id: filters.ids },
    list: (request) => purchasesPage(orm, request),
    present: linked,
    csv: {
      columns: [
        'id',
        'clientId',
        'packageId',
        'sessions',
        'amountCents',
        'currency',
        'status',
        'refundedCents',
        'refundedSessions',
        'sessionsOwed',
        'disputeStatus',
        'stripeCheckoutSessionId',
        'stripePaymentIntentId',
        'workflowId',
        'createdAt',
        'paidAt',
      ],
      rows: (filter) => everyPurchase(orm, filter),
    },
  });

  readResource({
    name: 'ledger',
    description: 'The append-only credit ledger (from/to bound createdAt), each entry linked to the workflow that wrote it.',
    roles: ['admin'],
    sorts: LEDGER_SORTS,
    defaultSort: { field: 'id', order: 'DESC' },
    filters: {
      clientId: filters.id,
      kind: ledgerKind,
      from: filters.instant,
      to: filters.instant,
      workflowId: filters.text,
      sessionId: filters.id,
      purchaseId: filters.id,
      id: filters.ids,
    },
    list: (request) => ledgerPage(orm, request),
    present: linked,
    csv: {
      columns: [
        'id',
        'createdAt',
        'clientId',
        'kind',
        'delta',
        'heldDelta',
        'balanceAfter',
        'heldAfter',
        'lotId',
        'sessionId',
        'bookingId',
        'purchaseId',
        'actor',
        'reason',
        'idempotencyKey',
        'workflowId',
        'runId',
      ],
      rows: (filter) => everyEntry(orm, filter),
    },
  });

  readResource({
    name: 'lots',
    description:
      'Credit lots: what each grant left and when it expires. A lot past its expiry shows 0 remaining; an admin extends a live one with POST /api/admin/lots/:id/extend.',
    roles: ['admin'],
    sorts: LOT_SORTS,
    defaultSort: { field: 'expiresAt', order: 'ASC' },
    filters: { clientId: filters.id, id: filters.ids },
    list: (request) => lotsPage(orm, request),
  });

  readResource({
    name: 'notifications',
    description:
      'The outbox: every message to a client with its delivery state (pending, sent, skipped: the client opted out, failed: the mail server refused it), attempts and last error.',
    roles: ['admin'],
    sorts: NOTIFICATION_SORTS,
    defaultSort: { field: 'id', order: 'DESC' },
    filters: { clientId: filters.id, state: notificationState, id: filters.ids },
    list: (request) => notificationsPage(orm, request),
  });

  /* Packages are the one resource the console writes directly. */

  api.post(
    '/api/admin/packages',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['admin'],
        summary: 'Create a package',
        body: Type.Object(
          {
            name: PackageFields.name,
            sessions: PackageFields.sessions,
            priceCents: PackageFields.priceCents,
            currency: Type.Optional(PackageFields.currency),
            validityDays: Type.Optional(PackageFields.validityDays),
            active: Type.Optional(PackageFields.active),
            stripePriceId: Type.Optional(PackageFields.stripePriceId),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const body = request.body;
      const created = await createPackage(orm, {
        name: body.name.trim(),
        sessions: body.sessions,
        priceCents: body.priceCents,
        currency: body.currency ?? 'usd',
        validityDays: body.validityDays ?? null,
        active: body.active ?? true,
        stripePriceId: body.stripePriceId ?? null,
      });
      return reply.code(201).send(created);
    },
  );

  api.put(
    '/api/admin/packages/:id',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['admin'],
        summary: 'Update a package',
        description: 'Takes the whole record, as react-admin sends it, or only the fields to change. Past purchases keep what they bought.',
        params: IdParams,
        body: Type.Object(
          {
            id: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
            name: Type.Optional(PackageFields.name),
            sessions: Type.Optional(PackageFields.sessions),
            priceCents: Type.Optional(PackageFields.priceCents),
            currency: Type.Optional(PackageFields.currency),
            validityDays: Type.Optional(PackageFields.validityDays),
            active: Type.Optional(PackageFields.active),
            stripePriceId: Type.Optional(PackageFields.stripePriceId),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { id, ...changes } = request.body;
      if (id !== undefined && String(id) !== String(request.params.id)) {
        throw new HttpError(400, 'ID_MISMATCH', `The body is package ${id} but the URL names package ${request.params.id}.`);
      }
      const updated = await updatePackage(orm, request.params.id, { ...changes, name: changes.name?.trim() });
      if (!updated) throw new HttpError(404, 'NOT_FOUND', `No packages record ${request.params.id}.`);
      return updated;
    },
  );

  api.delete(
    '/api/admin/packages/:id',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['admin'],
        summary: 'Retire a package',
        description:
          'Takes the package off sale (active=false) and answers the record; purchases keep pointing at it, so it is never deleted.',
        params: IdParams,
      },
    },
    async (request) => {
      const retired = await retirePackage(orm, request.params.id);
      if (!retired) throw new HttpError(404, 'NOT_FOUND', `No packages record ${request.params.id}.`);
      return retired;
    },
  );
}
