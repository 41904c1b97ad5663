import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { startStack, type TestStack } from '../support/stack.js';

/**
 * The console's API in the exact ra-data-simple-rest protocol: JSON sort/range/filter in,
 * a JSON array with `id` on every record and `Content-Range: <resource> first-last/total` out.
 */
let stack: TestStack;
let admin: TestUser;
let trainer: TestUser;
let otherTrainer: TestUser;
/** Seven clients, named so that sorting by last name gives A…G, with balances 0…6. */
const clients: (TestUser & { lastName: string; balance: number })[] = [];

const LAST_NAMES = ['Avery', 'Brooks', 'Castillo', 'Dubois', 'Eriksen', 'Fontaine', 'Gallagher'];

function url(resource: string, params: { sort?: unknown; range?: unknown; filter?: unknown } = {}): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) search.set(key, typeof value === 'string' ? value : JSON.stringify(value));
  const query = search.toString();
  return `/api/admin/${resource}${query ? `?${query}` : ''}`;
}

async function get(path: string, who: TestUser = admin) {
  return stack.app.inject({ method: 'GET', url: path, headers: who.headers });
}

async function list<T = Record<string, unknown>>(resource: string, params: Parameters<typeof url>[1] = {}, who: TestUser = admin) {
  const response = await get(url(resource, params), who);
  expect(response.statusCode, response.body).toBe(200);
  return { rows: response.json() as T[], range: response.headers['content-range'] };
}

beforeAll(async () => {
  stack = await startStack();
  admin = await createUser(stack, 'admin');
  trainer = await createUser(stack, 'trainer');
  otherTrainer = await createUser(stack, 'trainer');
  for (const [index, lastName] of LAST_NAMES.entries()) {
    const client = await createUser(stack, 'client');
    // createUser names everyone "client Test"; give each distinct names to sort and search by.
    await query(stack.orm, 'update users set first_name = ?, last_name = ? where id = ?', [`client${index}`, lastName, client.id]);
    if (index > 0) await grant(stack, client.id, index);
    clients.push({ ...client, lastName, balance: index });
  }
});
afterAll(() => stack?.close());

describe('access', () => {
  it('needs a token (401) and the admin role (403); trainers read only sessions and bookings', async () => {
    const anonymous = await stack.app.inject({ method: 'GET', url: '/api/admin/clients' });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json()).toMatchObject({ code: 'UNAUTHENTICATED' });

    for (const resource of ['clients', 'trainers', 'sessions', 'bookings', 'packages', 'purchases', 'ledger']) {
      const asClient = await get(url(resource), clients[0]!);
      expect(asClient.statusCode, resource).toBe(403);
      expect(asClient.json()).toMatchObject({ code: 'FORBIDDEN', message: expect.any(String) });
    }
    for (const resource of ['clients', 'trainers', 'packages', 'purchases', 'ledger']) {
      expect((await get(url(resource), trainer)).statusCode, resource).toBe(403);
    }
    expect((await get(`/api/admin/clients/${clients[1]!.id}`, trainer)).statusCode).toBe(403);
    expect((await get(url('sessions'), trainer)).statusCode).toBe(200);
    expect((await get(url('bookings'), trainer)).statusCode).toBe(200);
    const write = await stack.app.inject({
      method: 'POST',
      url: '/api/admin/packages',
      headers: trainer.headers,
      payload: { name: 'x', sessions: 1, priceCents: 1 },
    });
    expect(write.statusCode).toBe(403);
  });
});

describe('documentation', () => {
  it('describes every admin route in the OpenAPI document', async () => {
    const response = await stack.app.inject({ url: '/docs/json' });
    expect(response.statusCode).toBe(200);
    const paths = Object.keys(response.json().paths as Record<string, unknown>);
    for (const resource of ['clients', 'trainers', 'sessions', 'bookings', 'packages', 'purchases', 'ledger']) {
      expect(paths).toContain(`/api/admin/${resource}`);
      expect(paths).toContain(`/api/admin/${resource}/{id}`);
    }
  });
});

describe('clients: list, Content-Range, sort, search, getMany', () => {
  it('pages with a Content-Range that states the rows sent and the total', async () => {
    const first = await list<{ id: number; lastName: string }>('clients', { sort: ['lastName', 'ASC'], range: [0, 2], filter: {} });
    expect(first.range).toBe('clients 0-2/7');
    expect(first.rows.map((row) => row.lastName)).toEqual(['Avery', 'Brooks', 'Castillo']);

    const last = await list<{ lastName: string }>('clients', { sort: ['lastName', 'ASC'], range: [5, 9], filter: {} });
    expect(last.range).toBe('clients 5-6/7');
    expect(last.rows.map((row) => row.lastName)).toEqual(['Fontaine', 'Gallagher']);

    const past = await list('clients', { sort: ['lastName', 'ASC'], range: [20, 29], filter: {} });
    expect(past.rows).toEqual([]);
    expect(past.range).toBe('clients */7');
    // The data provider reads the total after the slash.
    expect(Number(past.range!.split('/').pop())).toBe(7);
  });

  it('sorts by each whitelisted field, both ways, with the filter applied to the total', async () => {
    const byBalance = await list<{ availableSessions: number }>('clients', { sort: ['availableSessions', 'DESC'], range: [0, 24] });
    expect(byBalance.rows.map((row) => row.availableSessions)).toEqual([6, 5, 4, 3, 2, 1, 0]);
    const byLastNameDesc = await list<{ lastName: string }>('clients', { sort: ['lastName', 'DESC'], range: [0, 1] });
    expect(byLastNameDesc.rows.map((row) => row.lastName)).toEqual(['Gallagher', 'Fontaine']);
    const byId = await list<{ id: number }>('clients', { sort: ['id', 'ASC'], range: [0, 24] });
    expect(byId.rows.map((row) => row.id)).toEqual(clients.map((client) => client.id));
    for (const field of ['firstName', 'email', 'createdAt']) {
      expect((await get(url('clients', { sort: [field, 'ASC'], range: [0, 9] }))).statusCode, field).toBe(200);
    }
  });

  it('serves every figure from the client_balances view, the same as the seed summary', async () => {
    const client = clients[5]!;
    const session = await createSession(stack, admin, trainer.id);
    const booked = await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/book/${client.id}`,
      headers: client.headers,
      payload: { sessionId: session.id },
    });
    expect(booked.statusCode, booked.body).toBe(200);
    const other = await createSession(stack, admin, trainer.id);
    await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/book/${client.id}`,
      headers: client.headers,
      payload: { sessionId: other.id },
    });
    const cancelled = await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/${other.id}/cancel`,
      headers: client.headers,
      payload: {},
    });
    expect(cancelled.statusCode, cancelled.body).toBe(200);

    const record = (await get(`/api/admin/clients/${client.id}`)).json();
    const summary = (await get(`/api/sessions/user-summary/${client.id}`)).json().data;
    expect(record).toMatchObject({
      id: client.id,
      email: client.email,
      firstName: 'client5',
      lastName: 'Fontaine',
      phone: null,
      availableSessions: summary.available,
      held: summary.scheduled,
      consumed: summary.completed,
      cancelled: summary.cancelled,
      total: summary.total,
      lowBalance: false,
      hasPurchasedBefore: false,
    });
    expect(record).toMatchObject({ availableSessions: 4, held: 1, cancelled: 1, total: 5 });
    expect(Date.parse(record.createdAt)).not.toBeNaN();
  });

  it('getMany: filter {"id":[…]} without sort or range answers exactly those records', async () => {
    const wanted = [clients[6]!.id, clients[2]!.id];
    const response = await get(url('clients', { filter: { id: wanted } }));
    expect(response.statusCode).toBe(200);
    expect(
      response
        .json()
        .map((row: { id: number }) => row.id)
        .sort(),
    ).toEqual([...wanted].sort());
    // Ids may arrive as strings (react-admin keeps whatever type the record had).
    const asStrings = await list<{ id: number }>('clients', { filter: { id: wanted.map(String) } });
    expect(asStrings.rows.map((row) => row.id).sort()).toEqual([...wanted].sort());
    expect((await list('clients', { filter: { id: [] } })).rows).toEqual([]);
  });

  it('q searches email, first and last name case-insensitively, taking wildcards literally', async () => {
    expect((await list<{ lastName: string }>('clients', { filter: { q: 'dUBo' } })).rows.map((row) => row.lastName)).toEqual(['Dubois']);
    expect((await list<{ id: number }>('clients', { filter: { q: 'CLIENT3' } })).rows.map((row) => row.id)).toEqual([clients[3]!.id]);
    const byEmail = await list<{ id: number }>('clients', { filter: { q: clients[4]!.email.toUpperCase() } });
    expect(byEmail.rows.map((row) => row.id)).toEqual([clients[4]!.id]);
    expect((await list<{ id: number }>('clients', { filter: { q: 'client6 gallagher' } })).rows.map((row) => row.id)).toEqual([
      clients[6]!.id,
    ]);
    const wildcard = await list('clients', { filter: { q: '%' }, range: [0, 0] });
    expect(wildcard.rows).toEqual([]);
    expect(wildcard.range).toBe('clients */0');
    const page = await list('clients', { filter: { q: 'client' }, range: [0, 1], sort: ['id', 'ASC'] });
    expect(page.range).toBe('clients 0-1/7');
  });

  it('flags and filters low balances at the policy threshold (<= 2 by default)', async () => {
    const all = await list<{ id: number; availableSessions: number; lowBalance: boolean }>('clients', { sort: ['id', 'ASC'] });
    for (const row of all.rows) expect(row.lowBalance, `client ${row.id}`).toBe(row.availableSessions <= 2);
    const low = await list<{ id: number; lowBalance: boolean }>('clients', {
      filter: { lowBalance: true },
      sort: ['availableSessions', 'ASC'],
      range: [0, 4],
    });
    expect(low.rows.map((row) => row.id)).toEqual([clients[0]!.id, clients[1]!.id, clients[2]!.id]);
    expect(low.range).toBe('clients 0-2/3');
    const notLow = await list('clients', { filter: { lowBalance: false } });
    expect(notLow.range).toBe('clients 0-3/4');
  });

  it('answers one record by id, 404 for a non-client', async () => {
    const response = await get(`/api/admin/clients/${clients[0]!.id}`);
    expect(response.json()).toMatchObject({ id: clients[0]!.id, availableSessions: 0, lowBalance: true });
    const notClient = await get(`/api/admin/clients/${trainer.id}`);
    expect(notClient.statusCode).toBe(404);
    expect(notClient.json()).toMatchObject({ code: 'NOT_FOUND' });
  });
});

describe("malformed parameters are the caller's mistake: 400 { message, code }, never 500", () => {
  const cases: [string, string][] = [
    ['sort not JSON', url('clients', { sort: '[lastName' })],
    ['sort by an unknown field', url('clients', { sort: ['password_hash', 'ASC'] })],
    ['sort by SQL', url('clients', { sort: ['id; drop table users', 'ASC'] })],
    ['sort order', url('clients', { sort: ['id', 'SIDEWAYS'] })],
    ['sort shape', url('clients', { sort: { field: 'id' } })],
    ['range not JSON', url('clients', { range: 'abc' })],
    ['range backwards', url('clients', { range: [5, 2] })],
    ['range negative', url('clients', { range: [-1, 3] })],
    ['range fractional', url('clients', { range: [0.5, 3] })],
    ['filter not JSON', url('clients', { filter: '{q:' })],
    ['filter an array', url('clients', { filter: [1] })],
    ['unknown filter', url('clients', { filter: { role: 'admin' } })],
    ['id not a number', url('clients', { filter: { id: ['1 or 1=1'] } })],
    ['id out of range', url('clients', { filter: { id: [99_999_999_999] } })],
    ['boolean filter', url('clients', { filter: { lowBalance: 'maybe' } })],
    ['date filter', url('ledger', { filter: { from: 'yesterday' } })],
    ['kind filter', url('ledger', { filter: { kind: 'steal' } })],
    ['status filter', url('sessions', { filter: { status: ['available', 'gone'] } })],
    ['record id', '/api/admin/clients/abc'],
    ['record id out of range', '/api/admin/clients/99999999999'],
  ];
  it.each(cases)('%s', async (_name, path) => {
    const response = await get(path);
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toEqual({ message: expect.any(String), code: expect.stringMatching(/^[A-Z_]+$/) });
  });
});

describe('range cap', () => {
  it('never answers more than 500 rows, and says so in Content-Range', async () => {
    await query(
      stack.orm,
      `insert into users (email, password_hash, role, first_name, last_name)
      select 'bulk-' || n || '@test.example', 'x', 'trainer', 'Bulk', lpad(n::text, 4, '0') from generate_series(1, 510) n`,
    );
    const [{ total }] = (await query<{ total: number }>(stack.orm, `select count(*)::int as total from users where role = 'trainer'`)) as [
      { total: number },
    ];
    const response = await list('trainers', { sort: ['id', 'ASC'], range: [0, 999] });
    expect(response.rows).toHaveLength(500);
    expect(response.range).toBe(`trainers 0-499/${total}`);
    const tail = await list('trainers', { sort: ['id', 'ASC'], range: [500, 999] });
    expect(tail.range).toBe(`trainers 500-${total - 1}/${total}`);
  });
});

describe('packages: CRUD with validation, DELETE retires', () => {
  const valid = { name: 'Ten pack', sessions: 10, priceCents: 70_000, currency: 'usd', validityDays: 180 };

  it('creates, reads, updates with the whole record as react-admin sends it, and retires on DELETE', async () => {
    const created = await stack.app.inject({ method: 'POST', url: '/api/admin/packages', headers: admin.headers, payload: valid });
    expect(created.statusCode, created.body).toBe(201);
    const record = created.json();
    expect(record).toEqual({ id: expect.any(Number), ...valid, active: true, stripePriceId: null });

    expect((await get(`/api/admin/packages/${record.id}`)).json()).toEqual(record);
    const listed = await list<{ id: number }>('packages', { sort: ['name', 'ASC'], range: [0, 9], filter: { q: 'ten' } });
    expect(listed.rows.map((row) => row.id)).toEqual([record.id]);

    const updated = await stack.app.inject({
      method: 'PUT',
      url: `/api/admin/packages/${record.id}`,
      headers: admin.headers,
      payload: { ...record, priceCents: 65_000, validityDays: null },
    });
    expect(updated.statusCode, updated.body).toBe(200);
    expect(updated.json()).toEqual({ ...record, priceCents: 65_000, validityDays: null });

    const partial = await stack.app.inject({
      method: 'PUT',
      url: `/api/admin/packages/${record.id}`,
      headers: admin.headers,
      payload: { name: 'Ten pack (winter)' },
    });
    expect(partial.json()).toMatchObject({ name: 'Ten pack (winter)', priceCents: 65_000 });

    expect(
      (await stack.app.inject({ url: '/api/packages', headers: clients[0]!.headers })).json().map((p: { id: number }) => p.id),
    ).toContain(record.id);
    // react-admin's delete sends Content-Type text/plain and no body.
    const deleted = await stack.app.inject({
      method: 'DELETE',
      url: `/api/admin/packages/${record.id}`,
      headers: { ...admin.headers, 'content-type': 'text/plain' },
    });
    expect(deleted.statusCode, deleted.body).toBe(200);
    expect(deleted.json()).toMatchObject({ id: record.id, active: false, name: 'Ten pack (winter)' });
    expect((await get(`/api/admin/packages/${record.id}`)).json()).toMatchObject({ active: false });
    // Off sale in the store, kept for the purchases that point at it.
    expect(
      (await stack.app.inject({ url: '/api/packages', headers: clients[0]!.headers })).json().map((p: { id: number }) => p.id),
    ).not.toContain(record.id);
    expect((await list('packages', { filter: { active: false, id: [record.id] } })).rows).toHaveLength(1);
  });

  const invalid: [string, Record<string, unknown>][] = [
    ['no sessions', { ...valid, sessions: 0 }],
    ['negative price', { ...valid, priceCents: -1 }],
    ['fractional price', { ...valid, priceCents: 10.5 }],
    ['upper-case currency', { ...valid, currency: 'USD' }],
    ['four-letter currency', { ...valid, currency: 'usdd' }],
    ['zero validity', { ...valid, validityDays: 0 }],
    ['empty stripe price', { ...valid, stripePriceId: '' }],
    ['blank name', { ...valid, name: '   ' }],
    ['missing name', { sessions: 1, priceCents: 100 }],
    ['unknown field', { ...valid, discount: 10 }],
  ];
  it.each(invalid)('refuses a package with %s (400, nothing written)', async (_name, payload) => {
    const before = await query<{ n: number }>(stack.orm, 'select count(*)::int as n from packages');
    const response = await stack.app.inject({ method: 'POST', url: '/api/admin/packages', headers: admin.headers, payload });
    expect(response.statusCode, response.body).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', message: expect.any(String) });
    expect(await query(stack.orm, 'select count(*)::int as n from packages')).toEqual(before);
  });

  it('validates updates the same way, refuses a body for another id, and 404s unknown packages', async () => {
    const { id } = (
      await stack.app.inject({
        method: 'POST',
        url: '/api/admin/packages',
        headers: admin.headers,
        payload: { ...valid, name: 'Five pack' },
      })
    ).json();
    const bad = await stack.app.inject({
      method: 'PUT',
      url: `/api/admin/packages/${id}`,
      headers: admin.headers,
      payload: { sessions: -2 },
    });
    expect(bad.statusCode).toBe(400);
    const mismatch = await stack.app.inject({
      method: 'PUT',
      url: `/api/admin/packages/${id}`,
      headers: admin.headers,
      payload: { id: id + 1000, name: 'x' },
    });
    expect(mismatch.statusCode).toBe(400);
    expect(mismatch.json()).toMatchObject({ code: 'ID_MISMATCH' });
    expect((await get(`/api/admin/packages/${id}`)).json()).toMatchObject({ name: 'Five pack', sessions: 10 });
    expect(
      (await stack.app.inject({ method: 'PUT', url: '/api/admin/packages/999999', headers: admin.headers, payload: { name: 'x' } }))
        .statusCode,
    ).toBe(404);
    expect((await stack.app.inject({ method: 'DELETE', url: '/api/admin/packages/999999', headers: admin.headers })).statusCode).toBe(404);
  });
});

describe('ledger, purchases and bookings link to their workflows', () => {
  it('filters the ledger by client and kind, and links workflow-written entries to the Temporal UI', async () => {
    const client = clients[3]!;
    const allocated = await stack.app.inject({
      method: 'POST',
      url: '/api/sessions/add-to-user',
      headers: admin.headers,
      payload: { userId: client.id, sessions: 2, reason: 'welcome bonus' },
    });
    expect(allocated.statusCode, allocated.body).toBe(200);
    const { workflowId } = allocated.json().data;
    const session = await createSession(stack, admin, trainer.id);
    expect(
      (
        await stack.app.inject({
          method: 'POST',
          url: `/api/sessions/book/${client.id}`,
          headers: client.headers,
          payload: { sessionId: session.id },
        })
      ).statusCode,
    ).toBe(200);

    type Entry = {
      id: number;
      clientId: number;
      kind: string;
      delta: number;
      balanceAfter: number;
      reason: string;
      workflowId: string | null;
      workflowUrl: string | null;
    };
    const entries = await list<Entry>('ledger', { filter: { clientId: client.id }, sort: ['id', 'ASC'], range: [0, 24] });
    expect(entries.rows.map((entry) => [entry.kind, entry.delta, entry.balanceAfter])).toEqual([
      ['grant', 3, 3],
      ['grant', 2, 5],
      ['hold', -1, 4],
    ]);
    expect(entries.range).toBe('ledger 0-2/3');
    expect(entries.rows.every((entry) => entry.clientId === client.id)).toBe(true);

    const grants = await list<Entry>('ledger', { filter: { clientId: client.id, kind: 'grant' }, sort: ['id', 'DESC'] });
    expect(grants.rows.map((entry) => entry.delta)).toEqual([2, 3]);
    const holds = await list<Entry>('ledger', { filter: { kind: ['hold'] } });
    expect(holds.rows.length).toBeGreaterThan(0);
    expect(holds.rows.every((entry) => entry.kind === 'hold')).toBe(true);

    const [testGrant, allocation, hold] = entries.rows as [Entry, Entry, Entry];
    expect(testGrant.workflowId).toBeNull();
    expect(testGrant.workflowUrl).toBeNull();
    expect(allocation).toMatchObject({ workflowId, reason: 'welcome bonus' });
    const { uiUrl, namespace } = stack.settings.temporal;
    expect(allocation.workflowUrl).toBe(`${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`);
    expect(hold.workflowUrl).toBe(`${uiUrl}/namespaces/${namespace}/workflows/booking-${session.id}-${client.id}`);

    expect((await list<Entry>('ledger', { filter: { workflowId } })).rows.map((entry) => entry.id)).toEqual([allocation.id]);
    expect((await get(`/api/admin/ledger/${allocation.id}`)).json()).toMatchObject({
      id: allocation.id,
      workflowUrl: allocation.workflowUrl,
    });
  });

  it('filters the ledger by date: from inclusive, to exclusive', async () => {
    const client = clients[3]!;
    const all = await list<{ id: number; createdAt: string }>('ledger', { filter: { clientId: client.id }, sort: ['createdAt', 'ASC'] });
    const last = all.rows.at(-1)!;
    const from = await list<{ id: number }>('ledger', { filter: { clientId: client.id, from: last.createdAt } });
    expect(from.rows.map((entry) => entry.id)).toContain(last.id);
    const before = await list<{ id: number }>('ledger', { filter: { clientId: client.id, to: last.createdAt } });
    expect(before.rows.map((entry) => entry.id)).not.toContain(last.id);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    expect((await list('ledger', { filter: { clientId: client.id, from: tomorrow } })).rows).toEqual([]);
    expect((await list('ledger', { filter: { clientId: client.id, to: tomorrow } })).rows).toHaveLength(all.rows.length);
  });

  it('lists purchases read-only with their workflow links, filtered by client and status', async () => {
    const { id: packageId } = (
      await stack.app.inject({
        method: 'POST',
        url: '/api/admin/packages',
        headers: admin.headers,
        payload: { name: 'Three pack', sessions: 3, priceCents: 21_000 },
      })
    ).json();
    const buyer = clients[2]!;
    const [paid] = await query<{ id: number }>(
      stack.orm,
      `insert into purchases (client_id, package_id, sessions, amount_cents, currency, status, workflow_id, paid_at)
       values (?, ?, 3, 21000, 'usd', 'paid', 'purchase-test-1', now()) returning id`,
      [buyer.id, packageId],
    );
    await query(
      stack.orm,
      `insert into purchases (client_id, package_id, sessions, amount_cents, currency) values (?, ?, 3, 21000, 'usd')`,
      [clients[1]!.id, packageId],
    );

    const mine = await list<Record<string, unknown>>('purchases', {
      filter: { clientId: buyer.id },
      sort: ['createdAt', 'DESC'],
      range: [0, 9],
    });
    expect(mine.range).toBe('purchases 0-0/1');
    expect(mine.rows[0]).toMatchObject({
      id: paid!.id,
      clientId: buyer.id,
      packageId,
      sessions: 3,
      amountCents: 21_000,
      currency: 'usd',
      status: 'paid',
      refundedCents: 0,
      sessionsOwed: 0,
      stripeCheckoutSessionId: null,
      stripePaymentIntentId: null,
      workflowId: 'purchase-test-1',
      workflowUrl: `${stack.settings.temporal.uiUrl}/namespaces/${stack.settings.temporal.namespace}/workflows/purchase-test-1`,
    });
    expect(Date.parse(mine.rows[0]!.paidAt as string)).not.toBeNaN();
    const pending = await list<{ status: string; workflowUrl: null }>('purchases', { filter: { status: 'pending' } });
    expect(pending.rows.map((row) => [row.status, row.workflowUrl])).toEqual([['pending', null]]);
    expect((await stack.app.inject({ method: 'POST', url: '/api/admin/purchases', headers: admin.headers, payload: {} })).statusCode).toBe(
      404,
    );
  });

  it('confines a trainer to their own sessions and the bookings in them', async () => {
    const client = clients[4]!;
    const mine = await createSession(stack, admin, trainer.id);
    const theirs = await createSession(stack, admin, otherTrainer.id);
    for (const session of [mine, theirs]) {
      const booked = await stack.app.inject({
        method: 'POST',
        url: `/api/sessions/book/${client.id}`,
        headers: admin.headers,
        payload: { sessionId: session.id },
      });
      expect(booked.statusCode, booked.body).toBe(200);
    }

    const sessions = await list<{ id: number; trainerId: number; bookedCount: number; seatsLeft: number }>(
      'sessions',
      { sort: ['startsAt', 'ASC'], range: [0, 99] },
      trainer,
    );
    expect(sessions.rows.length).toBeGreaterThan(0);
    expect(sessions.rows.every((row) => row.trainerId === trainer.id)).toBe(true);
    expect(sessions.rows.find((row) => row.id === mine.id)).toMatchObject({ bookedCount: 1, seatsLeft: 0 });
    // Asking for another trainer's sessions does not widen the view: the filter is forced to their own.
    const forced = await list<{ trainerId: number }>('sessions', { filter: { trainerId: otherTrainer.id } }, trainer);
    expect(forced.rows.map((row) => row.trainerId)).toEqual(sessions.rows.map(() => trainer.id));
    expect((await get(`/api/admin/sessions/${theirs.id}`, trainer)).statusCode).toBe(404);
    expect((await get(`/api/admin/sessions/${mine.id}`, trainer)).json()).toMatchObject({
      id: mine.id,
      trainerId: trainer.id,
      status: 'scheduled',
    });

    type Booking = {
      id: number;
      sessionId: number;
      clientId: number;
      status: string;
      creditState: string;
      workflowId: string;
      workflowUrl: string;
    };
    const bookings = await list<Booking>('bookings', { filter: { clientId: client.id } }, trainer);
    expect(bookings.rows.map((row) => row.sessionId)).toEqual([mine.id]);
    const all = await list<Booking>('bookings', { filter: { clientId: client.id }, sort: ['id', 'ASC'] }, admin);
    expect(all.rows.map((row) => row.sessionId)).toEqual([mine.id, theirs.id]);
    expect(all.rows[0]).toMatchObject({ status: 'scheduled', creditState: 'held', workflowId: `booking-${mine.id}-${client.id}` });
    expect(all.rows[0]!.workflowUrl).toMatch(new RegExp(`/workflows/booking-${mine.id}-${client.id}$`));
    expect((await list('bookings', { filter: { sessionId: theirs.id, status: ['cancelled'] } })).rows).toEqual([]);
    expect((await list('sessions', { filter: { trainerId: otherTrainer.id, status: 'scheduled' } })).rows.map((row) => row.id)).toEqual([
      theirs.id,
    ]);
    const later = new Date(Date.parse(theirs.startsAt) + 1000).toISOString();
    expect((await list<{ id: number }>('sessions', { filter: { trainerId: otherTrainer.id, from: later } })).rows).toEqual([]);
  });
});
