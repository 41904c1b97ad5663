import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeAccount } from '../../model/accounts.js';
import { DomainError } from '../../model/errors.js';
import { query } from '../../model/transaction.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { expectLedgerConsistent } from '../support/invariants.js';
import { startStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let admin: TestUser;

beforeAll(async () => {
  stack = await startStack({ RATE_LIMIT_LOGIN_PER_MINUTE: '1000' });
  admin = await createUser(stack, 'admin', 'owner');
});
afterAll(() => stack?.close());

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH';
const call = (method: Method, url: string, as: { headers: Record<string, string> } | undefined, payload?: object) =>
  stack.app.inject({ method, url, headers: as?.headers ?? {}, ...(payload ? { payload } : {}) });
const bearer = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
const login = (email: string, password: string) => call('POST', '/api/auth/login', undefined, { email, password });
let serial = 0;
const email = (name: string) => `${name}-${(serial += 1)}@studio.test`;

/** Signs in with the password and answers the token, failing the test if it is refused. */
async function signIn(address: string, password: string): Promise<string> {
  const answer = await login(address, password);
  expect(answer.statusCode, answer.body).toBe(200);
  return answer.json().token;
}

/** A staff member made through the API, with the temporary password it generated. */
async function newStaff(firstName: string, role: 'admin' | 'trainer') {
  const created = await call('POST', '/api/admin/staff', admin, { email: email(firstName), firstName, lastName: 'Staff', role });
  expect(created.statusCode, created.body).toBe(201);
  return created.json() as { id: number; email: string; temporaryPassword: string };
}

describe('admins create accounts', () => {
  it('creates a trainer, an admin and a walk-in client, each of whom signs in with the role given', async () => {
    const trainer = await call('POST', '/api/admin/staff', admin, {
      email: email('Tess.Trainer'),
      firstName: 'Tess',
      lastName: 'Trainer',
      phone: '+1 555 0100',
      role: 'trainer',
      password: 'given temporary 1',
    });
    expect(trainer.statusCode, trainer.body).toBe(201);
    expect(trainer.json()).toMatchObject({ firstName: 'Tess', role: 'trainer', active: true, phone: '+1 555 0100', lastSignedInAt: null });
    // A password the admin typed is never echoed back.
    expect(trainer.json()).not.toHaveProperty('temporaryPassword');

    const second = await call('POST', '/api/admin/staff', admin, {
      email: email('ada'),
      firstName: 'Ada',
      lastName: 'Admin',
      role: 'admin',
    });
    expect(second.statusCode, second.body).toBe(201);
    const generated = second.json().temporaryPassword as string;
    expect(generated).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}-[a-z2-9]{5}$/);

    const walkIn = await call('POST', '/api/admin/clients', admin, { email: email('walk.in'), firstName: 'Wanda', lastName: 'Walkin' });
    expect(walkIn.statusCode, walkIn.body).toBe(201);
    expect(walkIn.json()).toMatchObject({ firstName: 'Wanda', availableSessions: 0, lowBalance: true, active: true });

    const asTrainer = bearer(await signIn(trainer.json().email, 'given temporary 1'));
    expect((await call('GET', '/api/admin/sessions', asTrainer)).statusCode).toBe(200);
    expect((await call('GET', '/api/admin/clients', asTrainer)).statusCode).toBe(403);
    const asAdmin = bearer(await signIn(second.json().email, generated));
    expect((await call('GET', '/api/admin/staff', asAdmin)).statusCode).toBe(200);
    const asClient = bearer(await signIn(walkIn.json().email, walkIn.json().temporaryPassword));
    expect((await call('GET', '/api/me/summary', asClient)).statusCode).toBe(200);
    expect((await call('GET', '/api/admin/staff', asClient)).statusCode).toBe(403);

    // Shown once: no read answers the password again, and only its scrypt hash is stored.
    const listed = await call('GET', `/api/admin/staff/${second.json().id}`, admin);
    expect(listed.body).not.toContain(generated);
    const [stored] = await query<{ hash: string }>(stack.orm, 'select password_hash as hash from users where id = ?', [second.json().id]);
    expect(stored!.hash).toMatch(/^scrypt\$/);
    expect(stored!.hash).not.toContain(generated);
  });

  it('refuses a taken email with 409 on the email field, whatever its case, on create and on edit', async () => {
    const taken = email('taken');
    expect((await call('POST', '/api/admin/clients', admin, { email: taken, firstName: 'A', lastName: 'B' })).statusCode).toBe(201);
    const expected = { message: 'An account with this email already exists.', code: 'CONFLICT', field: 'email' };
    const staff = await call('POST', '/api/admin/staff', admin, {
      email: taken.toUpperCase(),
      firstName: 'C',
      lastName: 'D',
      role: 'trainer',
    });
    expect(staff.statusCode).toBe(409);
    expect(staff.json()).toEqual(expected);
    const client = await call('POST', '/api/admin/clients', admin, { email: taken, firstName: 'E', lastName: 'F' });
    expect(client.json()).toEqual(expected);
    const other = await createUser(stack, 'trainer', 'renamed');
    const edit = await call('PUT', `/api/admin/staff/${other.id}`, admin, { email: taken });
    expect(edit.statusCode).toBe(409);
    expect(edit.json()).toEqual(expected);
  });

  it('names the field of every invalid value, and confines each resource to its own accounts', async () => {
    const invalid = await call('POST', '/api/admin/staff', admin, { email: 'not-an-email', firstName: ' ', lastName: 'X', role: 'client' });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.json().message).toMatch(/body\/email/);
    expect(invalid.json().message).toMatch(/body\/firstName/);
    expect(invalid.json().message).toMatch(/body\/role/);
    const client = await createUser(stack, 'client', 'confined');
    const trainer = await createUser(stack, 'trainer', 'confined');
    expect((await call('PUT', `/api/admin/staff/${client.id}`, admin, { firstName: 'Nope' })).statusCode).toBe(404);
    expect((await call('PUT', `/api/admin/clients/${trainer.id}`, admin, { firstName: 'Nope' })).statusCode).toBe(404);
    expect((await call('GET', `/api/admin/staff/${client.id}`, admin)).statusCode).toBe(404);
  });
});

describe('a change of access bites on the next request', () => {
  it("a deactivated account's existing token is refused at once, and so is its sign-in, until reactivated", async () => {
    const { id, email: address, temporaryPassword } = await newStaff('Lee', 'admin');
    const token = bearer(await signIn(address, temporaryPassword));
    expect((await call('GET', '/api/admin/clients', token)).statusCode).toBe(200);

    expect((await call('PATCH', `/api/admin/users/${id}`, admin, { active: false })).json()).toMatchObject({ id, active: false });
    const refused = await call('GET', '/api/admin/clients', token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('SESSION_ENDED');
    const relogin = await login(address, temporaryPassword);
    expect(relogin.statusCode).toBe(401);
    expect(relogin.json().code).toBe('ACCOUNT_DEACTIVATED');
    expect((await call('GET', `/api/admin/staff/${id}`, admin)).json()).toMatchObject({ active: false });

    await call('PATCH', `/api/admin/users/${id}`, admin, { active: true });
    // Reactivating does not revive the old token: it was ended, not paused.
    expect((await call('GET', '/api/admin/clients', token)).statusCode).toBe(401);
    expect((await call('GET', '/api/admin/clients', bearer(await signIn(address, temporaryPassword)))).statusCode).toBe(200);
  });

  it('a changed role is refused at once; a profile edit keeps the sign-in', async () => {
    const { id, email: address, temporaryPassword } = await newStaff('Ray', 'trainer');
    const token = bearer(await signIn(address, temporaryPassword));

    const renamed = await call('PUT', `/api/admin/staff/${id}`, admin, { firstName: 'Raymond', phone: null });
    expect(renamed.json()).toMatchObject({ firstName: 'Raymond', phone: null, role: 'trainer' });
    expect((await call('GET', '/api/admin/sessions', token)).statusCode).toBe(200);

    expect((await call('PUT', `/api/admin/staff/${id}`, admin, { role: 'admin' })).json()).toMatchObject({ role: 'admin' });
    const refused = await call('GET', '/api/admin/sessions', token);
    expect(refused.statusCode).toBe(401);
    expect(refused.json().code).toBe('SESSION_ENDED');
    const again = await login(address, temporaryPassword);
    expect(again.json().user.role).toBe('admin');
    expect((await call('GET', '/api/admin/staff', bearer(again.json().token))).statusCode).toBe(200);
  });

  it('a temporary password works and the old one does not; the old sign-in ends', async () => {
    const created = await call('POST', '/api/admin/clients', admin, {
      email: email('forgetful'),
      firstName: 'Fay',
      lastName: 'Forgetful',
      password: 'the old password',
    });
    const { id, email: address } = created.json();
    const token = bearer(await signIn(address, 'the old password'));

    const reset = await call('POST', `/api/admin/users/${id}/temporary-password`, admin, {});
    expect(reset.statusCode, reset.body).toBe(200);
    const { temporaryPassword } = reset.json();
    expect(temporaryPassword).toMatch(/^[a-z2-9-]{17}$/);
    expect((await call('GET', '/api/me', token)).statusCode).toBe(401);
    expect((await login(address, 'the old password')).statusCode).toBe(401);
    await signIn(address, temporaryPassword);

    const given = await call('POST', `/api/admin/users/${id}/temporary-password`, admin, { password: 'typed by the desk' });
    expect(given.json()).not.toHaveProperty('temporaryPassword');
    expect((await login(address, temporaryPassword)).statusCode).toBe(401);
    await signIn(address, 'typed by the desk');
    expect((await call('POST', '/api/admin/users/2000000001/temporary-password', admin, {})).statusCode).toBe(404);
  });

  it('records when staff last signed in', async () => {
    const { id, email: address, temporaryPassword } = await newStaff('Pat', 'trainer');
    expect((await call('GET', `/api/admin/staff/${id}`, admin)).json().lastSignedInAt).toBeNull();
    const before = Date.now();
    await signIn(address, temporaryPassword);
    const { lastSignedInAt } = (await call('GET', `/api/admin/staff/${id}`, admin)).json();
    expect(new Date(lastSignedInAt).getTime()).toBeGreaterThanOrEqual(before - 1000);
  });
});

describe('finding a client to book', () => {
  it('gives a trainer names and whether each can book, for their own sessions only; admins also see balances', async () => {
    const trainer = await createUser(stack, 'trainer', 'booker');
    const otherTrainer = await createUser(stack, 'trainer', 'elsewhere');
    const rich = await call('POST', '/api/admin/clients', admin, { email: email('quin.rich'), firstName: 'Quincy', lastName: 'Rich' });
    const broke = await call('POST', '/api/admin/clients', admin, { email: email('quin.broke'), firstName: 'Quinn', lastName: 'Broke' });
    const gone = await call('POST', '/api/admin/clients', admin, { email: email('quin.gone'), firstName: 'Quinta', lastName: 'Gone' });
    expect(rich.statusCode, rich.body).toBe(201);
    await grant(stack, rich.json().id, 4);
    await call('PATCH', `/api/admin/users/${gone.json().id}`, admin, { active: false });
    const own = await createSession(stack, admin, trainer.id, { capacity: 3 });
    const theirs = await createSession(stack, admin, otherTrainer.id);

    const found = await call('GET', `/api/sessions/${own.id}/clients-to-book?q=quin`, trainer);
    expect(found.statusCode, found.body).toBe(200);
    expect(found.json()).toEqual([
      { id: broke.json().id, firstName: 'Quinn', lastName: 'Broke', hasCredit: false, alreadyBooked: false },
      { id: rich.json().id, firstName: 'Quincy', lastName: 'Rich', hasCredit: true, alreadyBooked: false },
    ]);
    expect((await call('GET', `/api/sessions/${theirs.id}/clients-to-book?q=quin`, trainer)).statusCode).toBe(403);

    // The trainer books the one they found into their own session; the book route's rules are unchanged.
    const booked = await call('POST', `/api/sessions/book/${rich.json().id}`, trainer, { sessionId: own.id });
    expect(booked.statusCode, booked.body).toBe(200);
    const deactivated = await call('POST', `/api/sessions/book/${gone.json().id}`, admin, { sessionId: own.id });
    expect(deactivated.statusCode).toBe(400);
    expect(deactivated.json().code).toBe('ACCOUNT_DEACTIVATED');
    const after = await call('GET', `/api/sessions/${own.id}/clients-to-book?q=Quincy`, admin);
    expect(after.json()).toEqual([
      {
        id: rich.json().id,
        firstName: 'Quincy',
        lastName: 'Rich',
        email: rich.json().email,
        hasCredit: true,
        availableSessions: 3,
        lowBalance: false,
        alreadyBooked: true,
      },
    ]);
    expect((await call('GET', `/api/sessions/2000000001/clients-to-book`, trainer)).statusCode).toBe(404);
    await expectLedgerConsistent(stack.orm);
  });
});

describe('the studio is never locked out', () => {
  it('an admin cannot deactivate or demote themselves', async () => {
    for (const [method, url, payload] of [
      ['PATCH', `/api/admin/users/${admin.id}`, { active: false }],
      ['PATCH', `/api/admin/users/${admin.id}`, { role: 'trainer' }],
      ['PUT', `/api/admin/staff/${admin.id}`, { role: 'trainer' }],
    ] as const) {
      const answer = await call(method, url, admin, payload);
      expect(answer.statusCode).toBe(409);
      expect(answer.json()).toEqual({
        code: 'OWN_ACCOUNT',
        message: 'You cannot deactivate or demote your own account; ask another admin.',
      });
    }
    expect((await call('GET', '/api/admin/staff', admin)).statusCode).toBe(200);
  });

  it('the last active admin can be neither deactivated nor demoted', async () => {
    const admins = await query<{ id: number }>(stack.orm, `select id from users where role = 'admin' and active`);
    // Leave one: every other admin this file made is deactivated directly.
    for (const { id } of admins.filter(({ id }) => id !== admin.id)) await changeAccount(stack.orm, id, { active: false });
    for (const change of [{ active: false }, { role: 'trainer' as const }, { role: 'client' as const }]) {
      const refusal = await changeAccount(stack.orm, admin.id, change).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(DomainError);
      expect(refusal).toMatchObject({ code: 'LAST_ADMIN' });
    }
    expect((await call('GET', '/api/admin/staff', admin)).statusCode).toBe(200);
  });

  // Last: it leaves only admins it made active.
  it('two admins deactivating each other at the same moment leave one of them active', async () => {
    for (let round = 0; round < 5; round += 1) {
      const a = await createUser(stack, 'admin', `a${round}`);
      const b = await createUser(stack, 'admin', `b${round}`);
      // Only these two admins are active, so whichever goes second would leave none.
      await query(
        stack.orm,
        `update users set active = false, token_version = token_version + 1 where role = 'admin' and id not in (?, ?)`,
        [a.id, b.id],
      );
      const answers = await Promise.all([
        call('PATCH', `/api/admin/users/${b.id}`, a, { active: false }),
        call('PATCH', `/api/admin/users/${a.id}`, b, { active: false }),
      ]);
      const statuses = answers.map((answer) => answer.statusCode).sort();
      // The loser is refused either as the last admin (409) or, if the winner committed first, as signed out (401).
      expect(statuses[0], answers.map((answer) => answer.body).join(' | ')).toBe(200);
      expect([401, 409]).toContain(statuses[1]);
      const [{ active }] = (await query<{ active: number }>(
        stack.orm,
        `select count(*)::int as active from users where role = 'admin' and active and id in (?, ?)`,
        [a.id, b.id],
      )) as [{ active: number }];
      expect(active).toBe(1);
    }
  });
});
