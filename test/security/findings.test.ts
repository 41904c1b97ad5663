import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessRules } from '../../activities/failures.js';
import { buildApp } from '../../api/app.js';
import { toHttpError } from '../../api/errors.js';
import { ConfigurationError, loadSettings } from '../../config/settings.js';
import { query } from '../../model/transaction.js';
import { cancelUpdate } from '../../workflows/definitions.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { balanceOf, expectLedgerConsistent } from '../support/invariants.js';
import { startStack, type TestStack } from '../support/stack.js';
import { handMadeToken } from './tokens.js';

let stack: TestStack;
let admin: TestUser;
let trainer: TestUser;
let otherTrainer: TestUser;

beforeAll(async () => {
  stack = await startStack({
    RATE_LIMIT_LOGIN_PER_MINUTE: '5',
    RATE_LIMIT_BOOKING_PER_MINUTE: '20',
    RATE_LIMIT_CHECKOUT_PER_MINUTE: '3',
    STRIPE_API_BASE_URL: '',
  });
  admin = await createUser(stack, 'admin');
  trainer = await createUser(stack, 'trainer');
  otherTrainer = await createUser(stack, 'trainer');
});
afterAll(() => stack?.close());

/** A token with the right shape and a claimed subject, but signed with a key the app does not have (or none). */
function forgedToken(sub: number, role: string, how: 'wrong-secret' | 'alg-none' = 'wrong-secret'): string {
  const now = Math.floor(Date.now() / 1000);
  return handMadeToken({ sub: String(sub), role, ver: 0, iat: now, exp: now + 3600 }, how === 'alg-none' ? null : 'not-the-secret');
}

const login = (email: string, password: string, options: { ip?: string; headers?: Record<string, string> } = {}) =>
  stack.app.inject({
    method: 'POST',
    url: '/api/auth/login',
    payload: { email, password },
    remoteAddress: options.ip ?? '10.1.0.1',
    headers: options.headers,
  });

const book = (as: TestUser | { headers: Record<string, string> }, clientId: number, payload: unknown) =>
  stack.app.inject({ method: 'POST', url: `/api/sessions/book/${clientId}`, headers: as.headers, payload: payload as object });

describe('1. rate limits key on what is verified', () => {
  it('a made-up bearer or a forwarded-for header does not reset the login limit of an address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i += 1) statuses.push((await login('nobody@example.com', 'guess', { ip: '10.1.1.1' })).statusCode);
    const bypasses: Array<Record<string, string>> = [
      { authorization: `Bearer ${forgedToken(424242, 'client')}` },
      { 'x-forwarded-for': '203.0.113.7' },
      { 'x-real-ip': '203.0.113.8', 'x-forwarded-for': '203.0.113.9, 198.51.100.1' },
    ];
    for (const headers of bypasses) statuses.push((await login('nobody@example.com', 'guess', { ip: '10.1.1.1', headers })).statusCode);
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
  });

  it('unsigned tokens naming a victim neither count against nor lock out the victim', async () => {
    const victim = await createUser(stack, 'client');
    await grant(stack, victim.id, 1);
    const session = await createSession(stack, admin, trainer.id);
    const forged = [...Array(30)].map((_, i) => forgedToken(victim.id, 'client', i % 2 ? 'alg-none' : 'wrong-secret'));
    const answers = await Promise.all(
      forged.map((token) => book({ headers: { authorization: `Bearer ${token}` } }, victim.id, { sessionId: session.id })),
    );
    expect(new Set(answers.map((answer) => answer.statusCode))).toEqual(new Set([401]));
    const real = await book(victim, victim.id, { sessionId: session.id });
    expect(real.statusCode, real.body).toBe(200);
    expect(real.headers['x-ratelimit-remaining']).toBe('19');
  });

  it('the booking limit is per verified user, and answers 429 with Retry-After', async () => {
    const client = await createUser(stack, 'client');
    const answers = [];
    for (let i = 0; i < 22; i += 1) answers.push(await book(client, client.id, { sessionId: 2_000_000_000 }));
    expect(answers.slice(0, 20).every((answer) => answer.statusCode !== 429)).toBe(true);
    expect(answers.slice(20).map((answer) => answer.statusCode)).toEqual([429, 429]);
    expect(Number(answers[21]!.headers['retry-after'])).toBeGreaterThan(0);
    expect(answers[21]!.json()).toMatchObject({ code: 'RATE_LIMITED' });
  });

  it('limits hold across API instances (one count in PostgreSQL)', async () => {
    const second = await buildApp({ settings: stack.settings, orm: stack.orm, temporal: stack.temporal });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 6; i += 1) {
        const app = i % 2 === 0 ? stack.app : second;
        const answer = await app.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: 'x@example.com', password: 'guess' },
          remoteAddress: '10.1.2.2',
        });
        statuses.push(answer.statusCode);
      }
      expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
    } finally {
      await second.close();
    }
  });

  it('X-Forwarded-For names the client only behind a configured proxy', async () => {
    const behindProxy = await buildApp({
      settings: { ...stack.settings, trustProxy: ['127.0.0.1'] },
      orm: stack.orm,
      temporal: stack.temporal,
    });
    try {
      const through = (forwardedFor: string) =>
        behindProxy.inject({
          method: 'POST',
          url: '/api/auth/login',
          payload: { email: 'y@example.com', password: 'guess' },
          remoteAddress: '127.0.0.1',
          headers: { 'x-forwarded-for': forwardedFor },
        });
      for (let i = 0; i < 5; i += 1) expect((await through('198.51.100.20')).statusCode).toBe(401);
      expect((await through('198.51.100.20')).statusCode).toBe(429);
      expect((await through('198.51.100.21')).statusCode).toBe(401);
    } finally {
      await behindProxy.close();
    }
    expect(loadSettings({ ...process.env, TRUST_PROXY: '' }).trustProxy).toBe(false);
    expect(loadSettings({ ...process.env, TRUST_PROXY: '2' }).trustProxy).toBe(2);
    expect(() => loadSettings({ ...process.env, TRUST_PROXY: 'everyone' })).toThrow(ConfigurationError);
  });
});

describe('2. a malformed bearer token is a 401, never a 500', () => {
  const malformed = ['%%%', 'a.b', 'a.b.c', 'eyJhbGciOiJIUzI1NiJ9.bm90IGpzb24.x', '', 'Bearer', forgedToken(1, 'admin', 'alg-none')];

  it('on authenticated routes', async () => {
    const routes = [
      ['GET', '/api/me', undefined],
      ['POST', '/api/sessions/book/1', { sessionId: 1 }],
      ['POST', '/api/checkout', { packageId: 1 }],
    ] as const;
    for (const token of malformed) {
      for (const [method, url, payload] of routes) {
        const answer = await stack.app.inject({
          method,
          url,
          headers: { authorization: `Bearer ${token}` },
          ...(payload ? { payload } : {}),
        });
        expect(answer.statusCode, `${method} ${url} with "${token}": ${answer.body}`).toBe(401);
        expect(answer.json().code).toBe('UNAUTHENTICATED');
      }
    }
  });

  it('and is ignored where no sign-in is needed (login, register)', async () => {
    const user = await createUser(stack, 'client');
    const headers = { authorization: 'Bearer %%%not-a-token' };
    expect((await login(user.email, 'correct horse battery', { ip: '10.1.3.3', headers })).statusCode).toBe(200);
    const registered = await stack.app.inject({
      method: 'POST',
      url: '/api/auth/register',
      headers,
      remoteAddress: '10.1.3.4',
      payload: { email: 'stale-bearer@example.com', password: 'long enough secret', firstName: 'S', lastName: 'B' },
    });
    expect(registered.statusCode).toBe(201);
  });
});

describe('3. trainers book only into their own sessions', () => {
  it("refuses another trainer's session, and answers their own without the client's balance", async () => {
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 2);
    const theirs = await createSession(stack, admin, otherTrainer.id);
    const refused = await book(trainer, client.id, { sessionId: theirs.id });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('FORBIDDEN');
    expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 2, held: 0 });

    const own = await createSession(stack, admin, trainer.id);
    const booked = await book(trainer, client.id, { sessionId: own.id });
    expect(booked.statusCode, booked.body).toBe(200);
    expect(booked.json()).not.toHaveProperty('availableSessions');
    expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 1, held: 1 });
  });
});

describe('4. out-of-range input is refused by the schema, before PostgreSQL or Date', () => {
  const oddInstants = [
    '2026-12-31T23:59:60Z',
    '0000-01-01T00:00:00Z',
    '9999-12-31T00:00:00Z',
    '2027-02-30T10:00:00Z',
    '2027-01-01T24:00:00Z',
    '2027-01-01T10:00:00+25:00',
  ];

  it('integers beyond int4 or exact range, in paths, queries and bodies', async () => {
    const client = await createUser(stack, 'client');
    const cases = [
      { method: 'GET', url: '/api/sessions?trainerId=2147483648', headers: admin.headers },
      { method: 'GET', url: '/api/me/ledger?before=9223372036854775807', headers: client.headers },
      { method: 'GET', url: '/api/me/ledger?before=1e21', headers: client.headers },
      { method: 'GET', url: '/api/sessions/user-summary/2147483648', headers: admin.headers },
      { method: 'POST', url: '/api/sessions/book/1', headers: admin.headers, payload: { sessionId: 2147483648 } },
      { method: 'POST', url: '/api/sessions/add-to-user', headers: admin.headers, payload: { userId: 1e21, sessions: 1 } },
    ] as const;
    for (const request of cases) {
      const answer = await stack.app.inject(request);
      expect(answer.statusCode, `${request.method} ${request.url}: ${answer.body}`).toBe(400);
      expect(answer.json().code).toBe('VALIDATION_FAILED');
    }
  });

  it('date-times that pass the RFC 3339 shape but not Date or PostgreSQL', async () => {
    const client = await createUser(stack, 'client');
    for (const instant of oddInstants) {
      const answers = await Promise.all([
        stack.app.inject({ method: 'GET', url: `/api/sessions?from=${encodeURIComponent(instant)}`, headers: admin.headers }),
        stack.app.inject({
          method: 'POST',
          url: '/api/sessions',
          headers: admin.headers,
          payload: { trainerId: trainer.id, startsAt: instant, durationMinutes: 60 },
        }),
        stack.app.inject({
          method: 'POST',
          url: '/api/sessions/add-to-user',
          headers: admin.headers,
          payload: { userId: client.id, sessions: 1, expiresAt: instant },
        }),
        stack.app.inject({
          method: 'GET',
          url: `/api/admin/ledger?filter=${encodeURIComponent(JSON.stringify({ from: instant }))}`,
          headers: admin.headers,
        }),
      ]);
      for (const answer of answers) expect(answer.statusCode, `${instant}: ${answer.body}`).toBe(400);
    }
    expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 0, held: 0 });
  });

  it('NUL in any text is a fast 400 and writes nothing', async () => {
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 1);
    const session = await createSession(stack, admin, trainer.id);
    expect((await book(client, client.id, { sessionId: session.id })).statusCode).toBe(200);
    const before = await query(stack.orm, 'select count(*)::int as n from ledger_entries');
    const started = performance.now();
    const answers = await Promise.all([
      stack.app.inject({
        method: 'POST',
        url: `/api/sessions/${session.id}/cancel`,
        headers: client.headers,
        payload: { reason: 'sick\u0000' },
      }),
      stack.app.inject({
        method: 'POST',
        url: '/api/sessions/add-to-user',
        headers: admin.headers,
        payload: { userId: client.id, sessions: 1, reason: 'a\u0000b' },
      }),
      stack.app.inject({
        method: 'POST',
        url: '/api/sessions',
        headers: admin.headers,
        payload: {
          trainerId: trainer.id,
          startsAt: new Date(Date.now() + 9 * 86_400_000).toISOString(),
          durationMinutes: 30,
          location: 'Room\u00001',
          notes: 'x',
        },
      }),
      stack.app.inject({
        method: 'POST',
        url: '/api/auth/register',
        remoteAddress: '10.1.4.4',
        payload: { email: 'nul@example.com', password: 'long enough secret', firstName: 'N\u0000', lastName: 'U' },
      }),
      stack.app.inject({
        method: 'GET',
        url: `/api/admin/clients?filter=${encodeURIComponent(JSON.stringify({ q: 'a\u0000' }))}`,
        headers: admin.headers,
      }),
      stack.app.inject({ method: 'GET', url: '/api/sessions?from=2027-01-01T00:00:00Z%00', headers: admin.headers }),
    ]);
    const elapsed = performance.now() - started;
    for (const answer of answers) expect(answer.statusCode, answer.body).toBe(400);
    expect(elapsed).toBeLessThan(2_000);
    expect(await query(stack.orm, 'select count(*)::int as n from ledger_entries')).toEqual(before);
    expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 0, held: 1 });
  });

  it('a NUL that reaches a workflow anyway fails its update at once instead of retrying', async () => {
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 1);
    const session = await createSession(stack, admin, trainer.id);
    expect((await book(client, client.id, { sessionId: session.id })).statusCode).toBe(200);
    const [{ workflowId }] = (await query<{ workflowId: string }>(
      stack.orm,
      'select workflow_id as "workflowId" from bookings where session_id = ?',
      [session.id],
    )) as [{ workflowId: string }];
    const started = performance.now();
    const failure = await stack.temporal.workflow
      .getHandle(workflowId)
      .executeUpdate(cancelUpdate, { args: [{ actor: { id: String(admin.id), role: 'admin' }, reason: 'sick\u0000', waive: true }] })
      .catch((error: unknown) => error);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(toHttpError(failure)).toMatchObject({ statusCode: 400, code: 'INVALID_REQUEST' });
    expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 0, held: 1 });
  });

  it('a data error from PostgreSQL is a non-retryable business failure, never a retry loop', async () => {
    const failure = await businessRules(() => query(stack.orm, 'select ?::timestamptz', ['2027-02-30T10:00:00Z'])).catch((error) => error);
    expect(failure).toMatchObject({ type: 'INVALID_REQUEST', nonRetryable: true });
    const nul = await businessRules(() => query(stack.orm, 'select ?::text', ['a\u0000b'])).catch((error) => error);
    expect(nul).toMatchObject({ type: 'INVALID_REQUEST', nonRetryable: true });
  });
});

describe('5. bodies are strict JSON types', () => {
  it('true is not 1, null is not 0, "5" is not 5 in a body; query strings are still parsed', async () => {
    const client = await createUser(stack, 'client');
    const session = await createSession(stack, admin, trainer.id);
    for (const sessionId of [true, null, String(session.id), [session.id]]) {
      const answer = await book(admin, client.id, { sessionId });
      expect(answer.statusCode, `sessionId ${JSON.stringify(sessionId)}: ${answer.body}`).toBe(400);
    }
    for (const sessions of [true, null, '1']) {
      const answer = await stack.app.inject({
        method: 'POST',
        url: '/api/sessions/add-to-user',
        headers: admin.headers,
        payload: { userId: client.id, sessions },
      });
      expect(answer.statusCode).toBe(400);
    }
    expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 0, held: 0 });
    const listed = await stack.app.inject({ url: `/api/sessions?trainerId=${trainer.id}&bookable=true`, headers: admin.headers });
    expect(listed.statusCode).toBe(200);
  });
});

describe('7. a changed account stops working at once', () => {
  const patch = (id: number, payload: object, as: TestUser = admin) =>
    stack.app.inject({ method: 'PATCH', url: `/api/admin/users/${id}`, headers: as.headers, payload });

  it('deactivating refuses its token on the next request and its login', async () => {
    const staff = await createUser(stack, 'admin', 'frontdesk');
    expect((await stack.app.inject({ url: '/api/admin/clients', headers: staff.headers })).statusCode).toBe(200);
    expect((await patch(staff.id, { active: false })).json()).toMatchObject({ id: staff.id, active: false });
    const refused = await stack.app.inject({ url: '/api/admin/clients', headers: staff.headers });
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('SESSION_ENDED');
    const relogin = await login(staff.email, 'correct horse battery', { ip: '10.1.5.5' });
    expect(relogin.statusCode).toBe(401);
    expect(relogin.json().code).toBe('ACCOUNT_DEACTIVATED');
    await patch(staff.id, { active: true });
    expect((await login(staff.email, 'correct horse battery', { ip: '10.1.5.5' })).statusCode).toBe(200);
  });

  it('a changed role or a new password ends existing tokens', async () => {
    const promoted = await createUser(stack, 'trainer');
    expect((await patch(promoted.id, { role: 'admin' })).statusCode).toBe(200);
    expect((await stack.app.inject({ url: '/api/admin/sessions', headers: promoted.headers })).statusCode).toBe(401);
    const reset = await createUser(stack, 'client');
    expect((await patch(reset.id, { password: 'temporary-password-1' })).statusCode).toBe(200);
    expect((await stack.app.inject({ url: '/api/me', headers: reset.headers })).statusCode).toBe(401);
    expect((await login(reset.email, 'temporary-password-1', { ip: '10.1.5.6' })).statusCode).toBe(200);
  });

  it('the reads that check the account in their own statement refuse an ended sign-in as the guard does', async () => {
    const client = await createUser(stack, 'client');
    const desk = await createUser(stack, 'admin', 'desk');
    const other = await createUser(stack, 'client');
    const clientReads = [
      '/api/me/summary',
      '/api/me/ledger',
      '/api/sessions',
      `/api/sessions/user-summary/${client.id}`,
      // Refused before anything is read: the answer is still the ended sign-in's.
      '/api/sessions?from=2027-01-02T00:00:00Z&to=2027-01-01T00:00:00Z',
      `/api/sessions/user-summary/${other.id}`,
    ];
    const deskReads = [
      '/api/admin/clients',
      `/api/admin/clients?filter=${encodeURIComponent(JSON.stringify({ q: 'son' }))}`,
      '/api/admin/bookings',
      `/api/admin/clients?sort=${encodeURIComponent('["nowhere","ASC"]')}`,
    ];
    const statuses = async (as: TestUser, urls: string[]) =>
      Promise.all(urls.map(async (url) => (await stack.app.inject({ url, headers: as.headers })).statusCode));
    expect(await statuses(client, clientReads)).toEqual([200, 200, 200, 200, 400, 403]);
    expect(await statuses(desk, deskReads)).toEqual([200, 200, 200, 400]);

    // The read carries the check: the guard's own round trip is not made.
    const guardChecks: number[] = [];
    const accountAccess = stack.app.accountAccess;
    stack.app.accountAccess = (userId) => (guardChecks.push(userId), accountAccess(userId));
    try {
      await statuses(client, clientReads.slice(0, 4));
      await statuses(desk, deskReads.slice(0, 1));
      expect(guardChecks).toEqual([]);
      await statuses(desk, deskReads.slice(2, 3));
      expect(guardChecks).toEqual([desk.id]);
    } finally {
      stack.app.accountAccess = accountAccess;
    }

    expect((await patch(client.id, { active: false })).statusCode).toBe(200);
    expect((await patch(desk.id, { role: 'trainer' })).statusCode).toBe(200);
    for (const [as, urls] of [
      [client, clientReads],
      [desk, deskReads],
    ] as const) {
      for (const url of urls) {
        const refused = await stack.app.inject({ url, headers: as.headers });
        expect(refused.statusCode, url).toBe(401);
        expect(refused.json().code, url).toBe('SESSION_ENDED');
      }
    }
  });

  it('an admin cannot lock themselves out, and only admins change accounts', async () => {
    expect((await patch(admin.id, { active: false })).json().code).toBe('OWN_ACCOUNT');
    expect((await patch(admin.id, { role: 'client' })).statusCode).toBe(409);
    const client = await createUser(stack, 'client');
    expect((await patch(client.id, { role: 'admin' }, client)).statusCode).toBe(403);
    expect((await patch(2_000_000_001, { active: false })).statusCode).toBe(404);
  });
});

describe('8. checkout is rate limited per client', () => {
  it('refuses the fourth checkout in a minute (limit 3) and opens no purchase for it', async () => {
    const client = await createUser(stack, 'client');
    const [pkg] = await query<{ id: number }>(
      stack.orm,
      `insert into packages (name, sessions, price_cents) values ('Five', 5, 35000) returning id`,
    );
    const statuses = [];
    for (let i = 0; i < 4; i += 1) {
      statuses.push(
        (await stack.app.inject({ method: 'POST', url: '/api/checkout', headers: client.headers, payload: { packageId: pkg!.id } }))
          .statusCode,
      );
    }
    expect(statuses).toEqual([201, 201, 201, 429]);
    expect(await query(stack.orm, 'select count(*)::int as n from purchases where client_id = ?', [client.id])).toEqual([{ n: 3 }]);
  });
});

describe('9. the checkout simulator never fails open', () => {
  it('production needs Stripe keys, or the simulator asked for by name', () => {
    expect(() => loadSettings({ NODE_ENV: 'production', JWT_SECRET: 'x', STRIPE_WEBHOOK_SECRET: 'whsec_x' })).toThrow(
      /NODE_ENV=production needs STRIPE_SECRET_KEY/,
    );
    expect(
      loadSettings({ NODE_ENV: 'production', JWT_SECRET: 'x', STRIPE_WEBHOOK_SECRET: 'whsec_x', STRIPE_SIMULATOR: 'true' }).stripe
        .secretKey,
    ).toBeUndefined();
    expect(
      loadSettings({ NODE_ENV: 'production', JWT_SECRET: 'x', STRIPE_WEBHOOK_SECRET: 'whsec_x', STRIPE_SECRET_KEY: 'sk_test_x' }).stripe
        .secretKey,
    ).toBe('sk_test_x');
  });
});

describe('afterwards', () => {
  it('every balance still equals its ledger', async () => {
    await expectLedgerConsistent(stack.orm);
  });
});
