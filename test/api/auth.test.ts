import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser, type TestUser } from '../support/actors.js';
import { startStack, type TestStack } from '../support/stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ RATE_LIMIT_LOGIN_PER_MINUTE: '5' });
});
afterAll(() => stack?.close());

const register = (payload: Record<string, unknown>) => stack.app.inject({ method: 'POST', url: '/api/auth/register', payload });
const login = (email: string, password: string, ip = '10.0.0.1') =>
  stack.app.inject({ method: 'POST', url: '/api/auth/login', payload: { email, password }, remoteAddress: ip });

describe('register and login', () => {
  it('registers a client and returns a working token', async () => {
    const response = await register({
      email: 'Ana.Silva@Example.com',
      password: 'long enough secret',
      firstName: 'Ana',
      lastName: 'Silva',
    });
    expect(response.statusCode).toBe(201);
    const body = response.json();
    expect(body.user).toEqual({
      id: expect.any(Number),
      email: 'ana.silva@example.com',
      role: 'client',
      firstName: 'Ana',
      lastName: 'Silva',
    });
    const me = await stack.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${body.token}` } });
    expect(me.json()).toMatchObject({ id: body.user.id, role: 'client', availableSessions: 0, lowBalance: true });
  });

  it('refuses a second account for the same email, whatever its case', async () => {
    await register({ email: 'dup@example.com', password: 'long enough secret', firstName: 'A', lastName: 'B' });
    const again = await register({ email: 'DUP@example.com', password: 'another secret!', firstName: 'C', lastName: 'D' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toEqual({ message: 'An account with this email already exists.', code: 'CONFLICT', field: 'email' });
  });

  it('rejects invalid registrations with every problem named', async () => {
    const response = await register({ email: 'not-an-email', password: 'short', firstName: '', role: 'admin' });
    expect(response.statusCode).toBe(400);
    expect(response.json().code).toBe('VALIDATION_FAILED');
    expect(response.json().message).toMatch(/email/);
    expect(response.json().message).toMatch(/password/);
  });

  it('logs in with the right password only, saying nothing about which part was wrong', async () => {
    await register({ email: 'login@example.com', password: 'the right password', firstName: 'L', lastName: 'I' });
    const ok = await login('LOGIN@example.com', 'the right password', '10.0.0.2');
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.email).toBe('login@example.com');
    const wrong = await login('login@example.com', 'the wrong password', '10.0.0.2');
    const unknown = await login('nobody@example.com', 'the wrong password', '10.0.0.2');
    expect(wrong.statusCode).toBe(401);
    expect(unknown.json()).toEqual(wrong.json());
  });

  it('rate-limits login attempts from one address', async () => {
    const statuses = [];
    for (let i = 0; i < 7; i += 1) statuses.push((await login('nobody@example.com', 'guess', '10.9.9.9')).statusCode);
    expect(statuses.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(statuses.slice(5)).toEqual([429, 429]);
    expect((await login('nobody@example.com', 'guess', '10.9.9.10')).statusCode).toBe(401);
  });
});

describe('the guard', () => {
  let admin: TestUser;
  let client: TestUser;
  let otherClient: TestUser;
  let trainer: TestUser;

  beforeAll(async () => {
    admin = await createUser(stack, 'admin');
    client = await createUser(stack, 'client');
    otherClient = await createUser(stack, 'client');
    trainer = await createUser(stack, 'trainer');
  });

  it('answers 401 without a token, with a forged one, or with one signed by another key', async () => {
    expect((await stack.app.inject({ url: '/api/me' })).statusCode).toBe(401);
    const forged = client.token.slice(0, -3) + (client.token.endsWith('AAA') ? 'BBB' : 'AAA');
    expect((await stack.app.inject({ url: '/api/me', headers: { authorization: `Bearer ${forged}` } })).statusCode).toBe(401);
    const response = await stack.app.inject({ url: '/api/me', headers: { authorization: 'Bearer not.a.jwt' } });
    expect(response.json()).toEqual({ message: 'Sign in first: this needs a valid bearer token.', code: 'UNAUTHENTICATED' });
  });

  it('answers 403 to a role that may not use a route', async () => {
    for (const user of [client, trainer]) {
      const response = await stack.app.inject({ url: '/api/sessions/clients', headers: user.headers });
      expect(response.statusCode).toBe(403);
      expect(response.json().code).toBe('FORBIDDEN');
    }
    expect((await stack.app.inject({ url: '/api/sessions/clients', headers: admin.headers })).statusCode).toBe(200);
    const grant = await stack.app.inject({
      method: 'POST',
      url: '/api/sessions/add-to-user',
      headers: client.headers,
      payload: { userId: client.id, sessions: 5 },
    });
    expect(grant.statusCode).toBe(403);
  });

  it('lets a client read and book only for itself', async () => {
    expect((await stack.app.inject({ url: `/api/sessions/user-summary/${client.id}`, headers: client.headers })).statusCode).toBe(200);
    expect((await stack.app.inject({ url: `/api/sessions/user-summary/${otherClient.id}`, headers: client.headers })).statusCode).toBe(403);
    const book = await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/book/${otherClient.id}`,
      headers: client.headers,
      payload: { sessionId: 1 },
    });
    expect(book.statusCode).toBe(403);
    expect((await stack.app.inject({ url: `/api/sessions/user-summary/${client.id}`, headers: admin.headers })).statusCode).toBe(200);
  });
});
