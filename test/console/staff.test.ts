import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../api/auth/tokens.js';
import { createAccount } from '../../model/accounts.js';
import { query } from '../../model/transaction.js';
import { createSession, grant, type TestUser } from '../support/actors.js';
import { buildConsole, noChromium, openConsole, screenshot, type ConsoleBrowser } from '../support/console.js';
import { startStack, type TestStack } from '../support/stack.js';

/** The Staff page, walk-in clients and a trainer's booking, in Chromium against the real stack. */

const PASSWORD = 'staff e2e password';
const people = {
  ada: { email: 'ada@studio.test', firstName: 'Ada', lastName: 'Owner' },
  ben: { email: 'ben@studio.test', firstName: 'Ben', lastName: 'Deskman' },
  tom: { email: 'tom@studio.test', firstName: 'Tom', lastName: 'Trainer' },
  rich: { email: 'rosa@studio.test', firstName: 'Rosa', lastName: 'Rowe' },
  broke: { email: 'remy@studio.test', firstName: 'Remy', lastName: 'Rowe' },
};

let stack: TestStack;
let ui: ConsoleBrowser;
let ada: TestUser;
const ids = { tom: 0, rich: 0, broke: 0 };

const tokenOf = (page: Page) =>
  page.evaluate(() =>
    (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('studio-sessions.token'),
  );

describe.skipIf(noChromium)('staff and accounts in the console', () => {
  beforeAll(async () => {
    await buildConsole();
    stack = await startStack();
    ui = await openConsole(stack);
    const owner = await createAccount(stack.orm, { ...people.ada, password: PASSWORD, role: 'admin' });
    const token = signToken(stack.app, owner);
    ada = { id: owner.id, email: owner.email, token, headers: { authorization: `Bearer ${token}` } };
    await createAccount(stack.orm, { ...people.ben, password: PASSWORD, role: 'admin' });
    ids.tom = (await createAccount(stack.orm, { ...people.tom, password: PASSWORD, role: 'trainer' })).id;
    ids.rich = (await createAccount(stack.orm, { ...people.rich, password: PASSWORD, role: 'client' })).id;
    ids.broke = (await createAccount(stack.orm, { ...people.broke, password: PASSWORD, role: 'client' })).id;
    await grant(stack, ids.rich, 6);
  }, 240_000);

  afterAll(async () => {
    await ui?.close();
    await stack?.close();
  });

  it('creates a trainer on the Staff page, who signs in with the temporary password in a second page', async () => {
    const { page, failures } = await ui.signedInPage(people.ada.email, PASSWORD);
    try {
      await page.getByRole('menuitem', { name: 'Staff' }).click();
      await page.getByRole('row', { name: /Ben Deskman/ }).waitFor();
      await screenshot(page, 'staff');

      await page.getByRole('link', { name: 'New staff member' }).click();
      await page.getByLabel(/^First name/).fill('Nina');
      await page.getByLabel(/^Last name/).fill('Newcoach');
      // A taken email comes back from the API as a 409 and shows under the field.
      await page.getByLabel(/^Email/).fill('BEN@studio.test');
      await page.getByLabel(/^Phone/).fill('+1 555 0142');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('An account with this email already exists.').first().waitFor();
      await screenshot(page, 'staff-create-taken-email');
      await page.getByLabel(/^Email/).fill('nina@studio.test');
      await page.getByRole('button', { name: 'Save' }).click();

      const notice = page.getByRole('dialog', { name: 'Temporary password for Nina Newcoach' });
      const password = (await notice.getByLabel('Temporary password').innerText()).trim();
      expect(password).toMatch(/^[a-z2-9]{5}-[a-z2-9]{5}-[a-z2-9]{5}$/);
      await screenshot(page, 'staff-temporary-password');
      await notice.getByRole('button', { name: 'Done' }).click();
      const row = page.getByRole('row', { name: /Nina Newcoach/ });
      await row.getByText('Never').waitFor();
      expect(await row.getByText('Trainer', { exact: true }).count()).toBe(1);

      const second = await ui.newPage();
      try {
        await ui.signIn(second.page, 'nina@studio.test', password);
        await second.page.locator('.MuiCard-root', { hasText: 'Welcome' }).getByText('Nina Newcoach').waitFor();
        expect(await second.page.getByRole('menuitem', { name: 'Staff' }).count()).toBe(0);
        expect(second.failures).toEqual([]);
      } finally {
        await second.page.close();
      }
      await page.reload();
      await page
        .getByRole('row', { name: /Nina Newcoach/ })
        .getByText(/\w{3} \d{1,2}, \d{4}/)
        .waitFor();
      // The taken email was the one refusal.
      expect(failures).toEqual([`409 ${ui.base}/api/admin/staff`]);
    } finally {
      await page.close();
    }
  });

  it('edits a staff member, sets a temporary password and promotes them, each change ending their sign-in', async () => {
    const { page, failures } = await ui.signedInPage(people.ada.email, PASSWORD);
    const tom = await ui.signedInPage(people.tom.email, PASSWORD);
    try {
      await page.goto(`${ui.base}/admin/#/staff/${ids.tom}`);
      await page.getByLabel(/^Phone/).fill('+1 555 0199');
      await screenshot(page, 'staff-edit');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('row', { name: /Tom Trainer/ }).waitFor();
      // A profile edit keeps Tom's open console signed in; the new password below ends it.
      const tomSignIn = { authorization: `Bearer ${await tokenOf(tom.page)}` };
      const tomAsks = async () => (await stack.app.inject({ url: '/api/me', headers: tomSignIn })).statusCode;
      expect(await tomAsks()).toBe(200);

      await page
        .getByRole('row', { name: /Tom Trainer/ })
        .getByRole('button', { name: 'Set temporary password' })
        .click();
      const dialog = page.getByRole('dialog', { name: 'Set a temporary password for Tom Trainer' });
      await dialog.getByLabel('Type one').check();
      await dialog.getByLabel('Temporary password').fill('short');
      await dialog.getByRole('button', { name: 'Set password' }).click();
      await dialog.getByText('Must be at least 8 characters').waitFor();
      await screenshot(page, 'staff-set-password');
      await dialog.getByLabel('Temporary password').fill('tom new password');
      await dialog.getByRole('button', { name: 'Set password' }).click();
      await page.getByText('Temporary password set for Tom Trainer; their other sign-ins have ended.').waitFor();
      expect(await tomAsks()).toBe(401);
      const relogin = await stack.app.inject({
        method: 'POST',
        url: '/api/auth/login',
        payload: { email: people.tom.email, password: 'tom new password' },
      });
      expect(relogin.statusCode).toBe(200);

      await page.goto(`${ui.base}/admin/#/staff/${ids.tom}`);
      await page.getByRole('combobox', { name: /Role/ }).click();
      await page.getByRole('option', { name: 'Admin' }).click();
      await page.getByRole('button', { name: 'Save' }).click();
      await page
        .getByRole('row', { name: /Tom Trainer/ })
        .getByText('Admin', { exact: true })
        .waitFor();
      const [stored] = await query<{ role: string; phone: string }>(stack.orm, 'select role, phone from users where id = ?', [ids.tom]);
      expect(stored).toEqual({ role: 'admin', phone: '+1 555 0199' });
      expect(failures.filter((failure) => !failure.includes('temporary-password'))).toEqual([]);
    } finally {
      await tom.page.close();
      await page.close();
    }
  });

  it('a deactivated admin is refused at once: their open console lands on the login page saying why', async () => {
    const a = await ui.signedInPage(people.ada.email, PASSWORD);
    const b = await ui.signedInPage(people.ben.email, PASSWORD);
    try {
      await b.page.getByRole('menuitem', { name: 'Clients' }).click();
      await b.page.getByRole('row', { name: /Rosa Rowe/ }).waitFor();

      await a.page.getByRole('menuitem', { name: 'Staff' }).click();
      await a.page
        .getByRole('row', { name: /Ben Deskman/ })
        .getByRole('button', { name: 'Deactivate' })
        .click();
      const confirm = a.page.getByRole('dialog', { name: 'Deactivate Ben Deskman?' });
      await confirm.getByText('They are signed out at once').waitFor();
      await screenshot(a.page, 'staff-deactivate');
      await confirm.getByRole('button', { name: 'Deactivate' }).click();
      await a.page.getByText('Ben Deskman is deactivated and signed out everywhere.').waitFor();
      await a.page
        .getByRole('row', { name: /Ben Deskman/ })
        .getByText('Deactivated')
        .waitFor();
      await screenshot(a.page, 'staff-after-deactivate');

      // Ben's console is still open on the clients list. The change reaches it live (the list refetches
      // and is refused), so he lands on the login page without even a click; a click would be refused the same way.
      await b.page.getByRole('button', { name: 'Sign in' }).waitFor();
      await b.page.getByText('Your account was changed by an admin (deactivated, a new role or a new password). Sign in again.').waitFor();
      await screenshot(b.page, 'staff-deactivated-admin-login');
      expect(await tokenOf(b.page)).toBeNull();
      await ui.signIn(b.page, people.ben.email, PASSWORD);
      await b.page.getByText('This account has been deactivated; ask the studio to reactivate it.').waitFor();

      await a.page
        .getByRole('row', { name: /Ben Deskman/ })
        .getByRole('button', { name: 'Reactivate' })
        .click();
      await a.page.getByText('Ben Deskman can sign in again.').waitFor();
      // Her own row cannot deactivate her: the button says why instead.
      expect(
        await a.page
          .getByRole('row', { name: /Ada Owner/ })
          .getByRole('button', { name: 'Deactivate' })
          .isDisabled(),
      ).toBe(true);
      expect(a.failures).toEqual([]);
    } finally {
      await a.page.close();
      await b.page.close();
    }
  });

  it('opens a walk-in client and edits their profile, with a taken email shown on its field', async () => {
    const { page, failures } = await ui.signedInPage(people.ada.email, PASSWORD);
    try {
      await page.getByRole('menuitem', { name: 'Clients' }).click();
      await page.getByRole('link', { name: 'New walk-in client' }).click();
      await page.getByLabel(/^First name/).fill('Walter');
      await page.getByLabel(/^Last name/).fill('Walkin');
      await page.getByLabel(/^Email/).fill('walter@example.com');
      await page.getByLabel(/^Temporary password/).fill('walter temp pass');
      await screenshot(page, 'client-create');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('walter@example.com').waitFor();
      await page.getByText('No credits yet.', { exact: false }).waitFor();

      await page.getByRole('link', { name: 'Edit profile' }).click();
      await page.getByLabel(/^Email/).fill(people.rich.email);
      await page.getByLabel(/^Phone/).fill('+44 20 7946 0000');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('An account with this email already exists.').first().waitFor();
      await screenshot(page, 'client-edit-taken-email');
      await page.getByLabel(/^Email/).fill('walter.w@example.com');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('walter.w@example.com').waitFor();
      await page.getByText('+44 20 7946 0000').waitFor();
      await screenshot(page, 'client-after-edit');
      expect(failures).toEqual([expect.stringMatching(/^409 .*\/api\/admin\/clients\/\d+$/)]);
    } finally {
      await page.close();
    }
  });

  it('lets a trainer find a client and book them into their own session from the panel', async () => {
    const trainerId = (await query<{ id: number }>(stack.orm, `select id from users where email = 'nina@studio.test'`))[0]!.id;
    const session = await createSession(stack, ada, trainerId, { capacity: 2, startsAt: new Date(Date.now() + 2 * 86_400_000) });
    // Nina's password was shown once in the first test; the desk sets her a known one.
    await stack.app.inject({
      method: 'POST',
      url: `/api/admin/users/${trainerId}/temporary-password`,
      headers: ada.headers,
      payload: { password: PASSWORD },
    });
    const { page, failures } = await ui.signedInPage('nina@studio.test', PASSWORD);
    try {
      await page.goto(`${ui.base}/admin/#/sessions?session=${session.id}`);
      const panel = page.getByRole('dialog', { name: 'Session', exact: true });
      await panel.getByText('Nobody is booked yet. Book a client below.').waitFor();
      expect(await panel.getByText('Complimentary').count()).toBe(0);
      await panel.getByLabel(/^Client/).fill('Rowe');
      await page.getByRole('option', { name: 'Remy Rowe · no sessions left' }).waitFor();
      await page.getByRole('option', { name: 'Rosa Rowe · has a session to book' }).waitFor();
      await screenshot(page, 'trainer-book-search');
      await page.getByRole('option', { name: /Rosa Rowe/ }).click();
      await panel.getByRole('button', { name: 'Book client' }).click();
      const roster = panel.getByRole('list', { name: 'Booked clients' });
      await roster.getByText('Rosa Rowe').waitFor();
      await roster.getByText('Credit held').waitFor();
      await screenshot(page, 'trainer-booked');
      const booked = await query<{ clientId: number; creditState: string }>(
        stack.orm,
        'select client_id as "clientId", credit_state as "creditState" from bookings where session_id = ?',
        [session.id],
      );
      expect(booked).toEqual([{ clientId: ids.rich, creditState: 'held' }]);

      // Booked already: the picker says so and will not offer her twice.
      await panel.getByLabel(/^Client/).fill('Rosa');
      await page.getByRole('option', { name: 'Rosa Rowe · already booked here' }).waitFor();
      expect(await page.getByRole('option', { name: /Rosa Rowe/ }).getAttribute('aria-disabled')).toBe('true');
      expect(failures).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
