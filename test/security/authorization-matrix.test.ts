import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { listeningUrl, openEventStream } from '../support/event-stream.js';
import { expectLedgerConsistent } from '../support/invariants.js';
import { startStack, type TestStack } from '../support/stack.js';
import { routeKey, routeRecorder, type RegisteredRoute } from './routes.js';
import { handMadeToken } from './tokens.js';

/*
 * Every route × every kind of caller → the answer it must get. The table below is checked
 * against the app's real route table both ways: a new route without a row fails, and so
 * does a row for a route that no longer exists.
 *
 * `ok` means the caller got past authorization: any answer but 401 or 403, and never a 5xx
 * (a business refusal such as 404 or 409 is still "allowed", since earlier cells change state).
 */

const ACTORS = ['anonymous', 'clientA', 'clientB', 'trainerOwn', 'trainerOther', 'admin', 'deactivated'] as const;
type ActorName = (typeof ACTORS)[number];
type Expected = 'ok' | 401 | 403 | 404;
type Expectations = Record<ActorName, Expected>;

interface Fixtures {
  clientA: TestUser;
  trainerOwn: TestUser;
  sessionId: number;
  openSessionId: number;
  seriesId: string;
  purchaseId: number;
  packageId: number;
  ledgerId: number;
  lotId: number;
  notificationId: number;
  bookingId: number;
  accountId: number;
  simulatorToken: string;
}

interface Row {
  expect: Expectations;
  /** Path params and a valid body, so the answer is about who asks, not what was sent. */
  request?: (f: Fixtures) => { params?: Record<string, number | string>; payload?: unknown; query?: string };
  /** Exists only in some configurations (the built console, the simulator without Stripe keys). */
  optional?: boolean;
  /** An endless event stream, which `inject` would wait on forever: asked over a real socket, its first event read. */
  stream?: boolean;
}

const everyone = (answer: Expected = 'ok'): Expectations => Object.fromEntries(ACTORS.map((actor) => [actor, answer])) as Expectations;
const signedIn: Expectations = { ...everyone(), anonymous: 401, deactivated: 401 };
const adminOnly: Expectations = {
  anonymous: 401,
  clientA: 403,
  clientB: 403,
  trainerOwn: 403,
  trainerOther: 403,
  admin: 'ok',
  deactivated: 401,
};
const clientsOnly: Expectations = { ...adminOnly, clientA: 'ok', clientB: 'ok', admin: 403 };
/** Staff; a trainer only on their own sessions. */
const sessionStaff: Expectations = { ...adminOnly, trainerOwn: 'ok', trainerOther: 403 };
/** Staff lists a trainer may read, filtered to their own sessions (another trainer's record is not found). */
const staffList: Expectations = { ...adminOnly, trainerOwn: 'ok', trainerOther: 'ok' };
const staffRecord: Expectations = { ...adminOnly, trainerOwn: 'ok', trainerOther: 404 };

const id = (value: (f: Fixtures) => number) => (f: Fixtures) => ({ params: { id: value(f) } });

const MATRIX: Record<string, Row> = {
  'GET /': { expect: everyone() },
  'GET /docs': { expect: everyone() },
  'GET /docs/static/index.html': { expect: everyone() },
  'GET /docs/static/swagger-initializer.js': { expect: everyone() },
  'GET /docs/static/*': { expect: everyone() },
  'GET /docs/json': { expect: everyone() },
  'GET /docs/yaml': { expect: everyone() },
  'GET /admin': { expect: everyone(), optional: true },
  'GET /admin/*': { expect: everyone(), optional: true },
  'GET /healthz': { expect: everyone() },
  // The matrix asks from loopback without METRICS_TOKEN; test/api/metrics.test.ts covers the token and other addresses.
  'GET /metrics': { expect: everyone() },
  'GET /readyz': { expect: everyone() },
  'OPTIONS *': { expect: everyone() },

  'POST /api/auth/register': {
    expect: everyone(),
    request: () => ({
      payload: {
        email: `m-${Math.random().toString(36).slice(2)}@example.com`,
        password: 'long enough secret',
        firstName: 'M',
        lastName: 'X',
      },
    }),
  },
  'POST /api/auth/login': {
    expect: everyone(),
    request: (f) => ({ payload: { email: f.clientA.email, password: 'correct horse battery' } }),
  },

  'GET /api/admin/clients': { expect: adminOnly },
  'GET /api/admin/clients/:id': { expect: adminOnly, request: id((f) => f.clientA.id) },
  'GET /api/admin/trainers': { expect: adminOnly },
  'GET /api/admin/trainers/:id': { expect: adminOnly, request: id((f) => f.trainerOwn.id) },
  'GET /api/admin/sessions': { expect: staffList },
  'GET /api/admin/sessions/:id': { expect: staffRecord, request: id((f) => f.sessionId) },
  'GET /api/admin/bookings': { expect: staffList },
  'GET /api/admin/bookings/:id': { expect: staffRecord, request: id((f) => f.bookingId) },
  'GET /api/admin/bookings.csv': { expect: staffList },
  'GET /api/admin/packages': { expect: adminOnly },
  'GET /api/admin/packages/:id': { expect: adminOnly, request: id((f) => f.packageId) },
  'POST /api/admin/packages': { expect: adminOnly, request: () => ({ payload: { name: 'Matrix pack', sessions: 2, priceCents: 1000 } }) },
  'PUT /api/admin/packages/:id': {
    expect: adminOnly,
    request: (f) => ({ params: { id: f.packageId }, payload: { name: 'Ten sessions' } }),
  },
  'DELETE /api/admin/packages/:id': { expect: adminOnly, request: id((f) => f.packageId) },
  'GET /api/admin/purchases': { expect: adminOnly },
  'GET /api/admin/purchases/:id': { expect: adminOnly, request: id((f) => f.purchaseId) },
  'GET /api/admin/purchases.csv': { expect: adminOnly },
  'POST /api/admin/purchases/:id/refund': {
    expect: adminOnly,
    request: (f) => ({ params: { id: f.purchaseId }, payload: { sessions: 1 } }),
  },
  'GET /api/admin/lots': { expect: adminOnly },
  'GET /api/admin/lots/:id': { expect: adminOnly, request: id((f) => f.lotId) },
  'POST /api/admin/lots/:id/extend': {
    expect: adminOnly,
    request: (f) => ({
      params: { id: f.lotId },
      payload: { expiresAt: new Date(Date.now() + 90 * 86_400_000 + Math.random() * 86_400_000).toISOString(), reason: 'matrix' },
    }),
  },
  'GET /api/admin/ledger': { expect: adminOnly },
  'GET /api/admin/ledger/:id': { expect: adminOnly, request: id((f) => f.ledgerId) },
  'GET /api/admin/ledger.csv': { expect: adminOnly },
  // A trainer gets their own day without money (test/api/dashboard.test.ts).
  'GET /api/admin/dashboard': { expect: staffList },
  'GET /api/studio': { expect: signedIn },
  'PATCH /api/admin/series/:seriesId': {
    expect: adminOnly,
    request: (f) => ({ params: { seriesId: f.seriesId }, payload: { from: new Date().toISOString(), capacity: 2 } }),
  },
  'POST /api/admin/series/:seriesId/cancel': {
    expect: adminOnly,
    request: (f) => ({ params: { seriesId: f.seriesId }, payload: { from: new Date().toISOString(), reason: 'matrix' } }),
  },
  'GET /api/admin/reconciliation': { expect: adminOnly },
  'POST /api/admin/reconciliation': { expect: adminOnly },
  // The owner's books: money, so admins only.
  'GET /api/admin/reports/liability': { expect: adminOnly },
  'GET /api/admin/reports/liability.csv': { expect: adminOnly },
  'GET /api/admin/reports/roll-forward': { expect: adminOnly },
  'GET /api/admin/reports/roll-forward.csv': { expect: adminOnly },
  'GET /api/admin/reports/usage': { expect: adminOnly },
  'GET /api/admin/reports/usage.csv': { expect: adminOnly },
  'GET /api/admin/notifications': { expect: adminOnly },
  'GET /api/admin/notifications/:id': { expect: adminOnly, request: id((f) => f.notificationId) },
  'PATCH /api/admin/users/:id': { expect: adminOnly, request: (f) => ({ params: { id: f.accountId }, payload: { active: true } }) },
  'POST /api/admin/users/:id/temporary-password': { expect: adminOnly, request: (f) => ({ params: { id: f.accountId }, payload: {} }) },
  'GET /api/admin/staff': { expect: adminOnly },
  'GET /api/admin/staff/:id': { expect: adminOnly, request: id((f) => f.trainerOwn.id) },
  'POST /api/admin/staff': {
    expect: adminOnly,
    request: () => ({
      payload: { email: `s-${Math.random().toString(36).slice(2)}@example.com`, firstName: 'S', lastName: 'X', role: 'trainer' },
    }),
  },
  'PUT /api/admin/staff/:id': { expect: adminOnly, request: (f) => ({ params: { id: f.trainerOwn.id }, payload: { phone: '555 0100' } }) },
  'POST /api/admin/clients': {
    expect: adminOnly,
    request: () => ({ payload: { email: `w-${Math.random().toString(36).slice(2)}@example.com`, firstName: 'W', lastName: 'X' } }),
  },
  'PUT /api/admin/clients/:id': { expect: adminOnly, request: (f) => ({ params: { id: f.accountId }, payload: { phone: '555 0101' } }) },

  'GET /api/sessions': { expect: signedIn },
  'POST /api/sessions': {
    expect: sessionStaff,
    request: (f) => ({
      payload: { trainerId: f.trainerOwn.id, startsAt: new Date(Date.now() + 40 * 86_400_000).toISOString(), durationMinutes: 30 },
    }),
  },
  'PATCH /api/sessions/:id': { expect: sessionStaff, request: (f) => ({ params: { id: f.sessionId }, payload: { notes: 'Bring water' } }) },
  'POST /api/sessions/add-to-user': {
    expect: adminOnly,
    request: (f) => ({ payload: { userId: f.clientA.id, sessions: 1, reason: 'matrix' } }),
  },
  'GET /api/sessions/allocation-health': { expect: adminOnly },
  'GET /api/sessions/user-summary/:userId': {
    expect: { ...adminOnly, clientA: 'ok' },
    request: (f) => ({ params: { userId: f.clientA.id } }),
  },
  'GET /api/sessions/clients': { expect: adminOnly },
  'GET /api/sessions/:id/clients-to-book': { expect: sessionStaff, request: (f) => ({ params: { id: f.sessionId }, query: 'q=client' }) },
  'GET /api/sessions/trainers': { expect: adminOnly },
  'POST /api/sessions/book/:userId': {
    expect: { ...sessionStaff, clientA: 'ok' },
    request: (f) => ({ params: { userId: f.clientA.id }, payload: { sessionId: f.openSessionId } }),
  },
  // Client B has no booking here to cancel, so it is told so; naming client A is refused.
  'POST /api/sessions/:id/cancel': {
    expect: { ...sessionStaff, clientA: 'ok', clientB: 403 },
    request: (f) => ({ params: { id: f.sessionId }, payload: { userId: f.clientA.id } }),
  },
  'GET /api/sessions/:id': { expect: signedIn, request: id((f) => f.sessionId) },
  'GET /api/sessions/:id/waitlist': { expect: sessionStaff, request: id((f) => f.sessionId) },
  // Client B naming client A is refused; client A and the admin get past (a free seat is then a 409).
  'POST /api/sessions/:id/waitlist': {
    expect: { ...adminOnly, clientA: 'ok', clientB: 403 },
    request: (f) => ({ params: { id: f.sessionId }, payload: { userId: f.clientA.id } }),
  },
  'DELETE /api/sessions/:id/waitlist/:userId': {
    expect: { ...adminOnly, clientA: 'ok', clientB: 403 },
    request: (f) => ({ params: { id: f.sessionId, userId: f.clientA.id } }),
  },
  'POST /api/sessions/:id/confirm': {
    expect: sessionStaff,
    request: (f) => ({ params: { id: f.sessionId }, payload: { userId: f.clientA.id } }),
  },
  'POST /api/sessions/:id/complete': {
    expect: sessionStaff,
    request: (f) => ({ params: { id: f.sessionId }, payload: { userId: f.clientA.id } }),
  },
  'POST /api/sessions/:id/no-show': {
    expect: sessionStaff,
    request: (f) => ({ params: { id: f.sessionId }, payload: { userId: f.clientA.id } }),
  },

  'GET /api/me': { expect: signedIn },
  'GET /api/events': { expect: signedIn, stream: true },
  'GET /api/me/summary': { expect: clientsOnly },
  'GET /api/me/ledger': { expect: clientsOnly },
  'GET /api/me/bookings': { expect: clientsOnly },
  'GET /api/me/waitlist': { expect: clientsOnly },
  'GET /api/me/preferences': { expect: clientsOnly },
  'PATCH /api/me/preferences': { expect: clientsOnly, request: () => ({ payload: { reminders: true } }) },
  'GET /api/packages': { expect: everyone() },
  'POST /api/checkout': { expect: clientsOnly, request: (f) => ({ payload: { packageId: f.packageId } }) },
  'POST /api/webhooks/stripe': {
    expect: everyone(),
    request: () => ({ payload: { id: 'evt_unsigned', type: 'checkout.session.completed' } }),
  },
  'GET /checkout/return': { expect: everyone() },
  'GET /checkout/simulator/:purchaseId': {
    expect: everyone(),
    optional: true,
    request: (f) => ({ params: { purchaseId: f.purchaseId }, query: `token=${f.simulatorToken}` }),
  },
  'POST /checkout/simulator/:purchaseId/pay': {
    expect: everyone(404),
    optional: true,
    request: (f) => ({ params: { purchaseId: f.purchaseId }, payload: { token: 'not-the-token', method: 'card' } }),
  },
};

const recorder = routeRecorder();
let stack: TestStack;
let fixtures: Fixtures;
const actors = {} as Record<ActorName, { headers: Record<string, string> }>;

beforeAll(async () => {
  // The simulator's routes exist without Stripe keys; the limits are the findings suite's subject, not this one's.
  stack = await startStack({ STRIPE_API_BASE_URL: '', RATE_LIMIT_LOGIN_PER_MINUTE: '10000' }, { onRoute: recorder.onRoute });
  const admin = await createUser(stack, 'admin');
  const clientA = await createUser(stack, 'client', 'clientA');
  const clientB = await createUser(stack, 'client', 'clientB');
  const trainerOwn = await createUser(stack, 'trainer', 'own');
  const trainerOther = await createUser(stack, 'trainer', 'other');
  const deactivated = await createUser(stack, 'admin', 'gone');
  const account = await createUser(stack, 'client', 'account');
  expect(
    (
      await stack.app.inject({
        method: 'PATCH',
        url: `/api/admin/users/${deactivated.id}`,
        headers: admin.headers,
        payload: { active: false },
      })
    ).statusCode,
  ).toBe(200);
  Object.assign(actors, { anonymous: { headers: {} }, clientA, clientB, trainerOwn, trainerOther, admin, deactivated });

  await grant(stack, clientA.id, 5);
  await grant(stack, clientA.id, 2, new Date(Date.now() + 30 * 86_400_000));
  const session = await createSession(stack, admin, trainerOwn.id, { capacity: 3 });
  const open = await createSession(stack, admin, trainerOwn.id, { capacity: 3 });
  const series = await stack.app.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: admin.headers,
    payload: {
      trainerId: trainerOwn.id,
      startsAt: new Date(Date.now() + 20 * 86_400_000).toISOString(),
      durationMinutes: 30,
      repeatWeeks: 1,
    },
  });
  expect(series.statusCode, series.body).toBe(201);
  const booked = await stack.app.inject({
    method: 'POST',
    url: `/api/sessions/book/${clientA.id}`,
    headers: clientA.headers,
    payload: { sessionId: session.id },
  });
  expect(booked.statusCode, booked.body).toBe(200);
  const [pkg] = await query<{ id: number }>(
    stack.orm,
    `insert into packages (name, sessions, price_cents) values ('Ten', 10, 70000) returning id`,
  );
  const checkout = await stack.app.inject({
    method: 'POST',
    url: '/api/checkout',
    headers: clientA.headers,
    payload: { packageId: pkg!.id },
  });
  expect(checkout.statusCode, checkout.body).toBe(201);
  const [ledger] = await query<{ id: number }>(stack.orm, 'select id from ledger_entries where client_id = ? order by id limit 1', [
    clientA.id,
  ]);
  const [lot] = await query<{ id: number }>(stack.orm, 'select id from credit_lots where client_id = ? and expires_at is not null', [
    clientA.id,
  ]);
  const [notification] = await query<{ id: number }>(stack.orm, 'select id from notifications where user_id = ? order by id limit 1', [
    clientA.id,
  ]);
  fixtures = {
    clientA,
    lotId: lot!.id,
    trainerOwn,
    sessionId: session.id,
    openSessionId: open.id,
    seriesId: series.json().seriesId,
    packageId: pkg!.id,
    purchaseId: checkout.json().purchaseId,
    ledgerId: Number(ledger!.id),
    // The booking above wrote its confirmation to the outbox in the same transaction.
    notificationId: Number(notification!.id),
    bookingId: booked.json().booking.id,
    accountId: account.id,
    simulatorToken: new URL(checkout.json().url).searchParams.get('token')!,
  };
});
afterAll(() => stack?.close());

/** A stream's answer is its status and, once it streams, the first event it sends (which must be `ready`). */
async function ask(route: RegisteredRoute, row: Row, headers: Record<string, string>): Promise<{ statusCode: number; body: string }> {
  if (!row.stream) return stack.app.inject(requestFor(route, row, headers));
  const reader = await openEventStream(await listeningUrl(stack.app), headers);
  try {
    if (reader.status !== 200) return { statusCode: reader.status, body: reader.text ?? '' };
    const first = await reader.next();
    return { statusCode: first.event === 'ready' ? 200 : 500, body: `first event: ${first.event}` };
  } finally {
    reader.close();
  }
}

function requestFor(route: RegisteredRoute, row: Row, headers: Record<string, string>) {
  const { params = {}, payload, query: search } = row.request?.(fixtures) ?? {};
  let url = route.url.replace(/\*$/, route.url.startsWith('/docs') ? 'index.html' : '');
  for (const [name, value] of Object.entries(params)) url = url.replace(`:${name}`, String(value));
  if (route.url === '*') url = '/api/me';
  return {
    method: route.method as 'GET',
    url: search ? `${url}?${search}` : url,
    headers: route.url === '*' ? { ...headers, origin: 'https://elsewhere.example', 'access-control-request-method': 'GET' } : headers,
    ...(payload !== undefined ? { payload: payload as object } : {}),
  };
}

describe('the authorization matrix', () => {
  it('has a row for every registered route, and no row for a route that is gone', () => {
    const registered = new Set(recorder.routes().map(routeKey));
    const missing = [...registered].filter((key) => !(key in MATRIX));
    const gone = Object.entries(MATRIX)
      .filter(([key, row]) => !row.optional && !registered.has(key))
      .map(([key]) => key);
    expect(missing, 'routes without a row in the matrix').toEqual([]);
    expect(gone, 'rows for routes that do not exist').toEqual([]);
  });

  it('answers every route × caller as the matrix says', async () => {
    const failures: string[] = [];
    let cells = 0;
    for (const route of recorder.routes()) {
      const row = MATRIX[routeKey(route)];
      if (!row) continue;
      // Refusals first, so that the allowed callers' changes cannot hide one.
      const order = [...ACTORS].sort((a, b) => Number(row.expect[a] === 'ok') - Number(row.expect[b] === 'ok'));
      for (const actor of order) {
        const answer = await ask(route, row, actors[actor].headers);
        cells += 1;
        const expected = row.expect[actor];
        const fine =
          expected === 'ok'
            ? answer.statusCode < 500 && answer.statusCode !== 401 && answer.statusCode !== 403
            : answer.statusCode === expected;
        if (!fine)
          failures.push(`${routeKey(route)} as ${actor}: expected ${expected}, got ${answer.statusCode} ${answer.body.slice(0, 160)}`);
      }
    }
    console.log(
      `authorization matrix: ${recorder.routes().length} routes × ${ACTORS.length} callers = ${cells} cells, ${failures.length} wrong`,
    );
    expect(failures).toEqual([]);
  });

  it('refuses tampered, expired, alg:none and wrong-secret tokens on every signed-in route', async () => {
    const admin = actors.admin.headers.authorization!.slice(7);
    const [head, body, signature] = admin.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(body, 'base64url').toString());
    const now = Math.floor(Date.now() / 1000);
    const secret = stack.settings.jwtSecret;
    const tokens = {
      tampered: `${head}.${Buffer.from(JSON.stringify({ ...claims, sub: String(fixtures.clientA.id) })).toString('base64url')}.${signature}`,
      expired: handMadeToken({ ...claims, iat: now - 7200, exp: now - 3600 }, secret),
      algNone: handMadeToken({ ...claims, exp: now + 3600 }, null),
      wrongSecret: handMadeToken({ ...claims, exp: now + 3600 }, 'not-the-secret'),
      staleVersion: handMadeToken({ ...claims, ver: claims.ver + 1, iat: now, exp: now + 3600 }, secret),
    };
    const guarded = recorder.routes().filter((route) => MATRIX[routeKey(route)]?.expect.anonymous === 401);
    const failures: string[] = [];
    for (const route of guarded) {
      for (const [kind, token] of Object.entries(tokens)) {
        const answer = await ask(route, MATRIX[routeKey(route)]!, { authorization: `Bearer ${token}` });
        if (answer.statusCode !== 401) failures.push(`${routeKey(route)} with a ${kind} token: ${answer.statusCode}`);
      }
    }
    console.log(`bad tokens: ${guarded.length} signed-in routes × ${Object.keys(tokens).length} kinds, ${failures.length} wrong`);
    expect(guarded.length).toBeGreaterThan(30);
    expect(failures).toEqual([]);
  });

  it('leaves every balance equal to its ledger', async () => {
    await expectLedgerConsistent(stack.orm);
  });
});
