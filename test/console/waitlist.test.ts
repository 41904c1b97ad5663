import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAccount } from '../../model/accounts.js';
import { query } from '../../model/transaction.js';
import { signToken } from '../../api/auth/tokens.js';
import { createSession, grant, type TestUser } from '../support/actors.js';
import { buildConsole, noChromium, openConsole, screenshot, type ConsoleBrowser } from '../support/console.js';
import { startStack, type TestStack } from '../support/stack.js';

/** A full session's waitlist in the session panel and the schedule, in Chromium against the real stack. */

const PASSWORD = 'waitlist e2e password';
let stack: TestStack;
let ui: ConsoleBrowser;
let admin: TestUser;
const ids = { trainer: 0, rosa: 0, mia: 0, remy: 0 };

describe.skipIf(noChromium)('the waitlist in the console', () => {
  beforeAll(async () => {
    await buildConsole();
    stack = await startStack({ STUDIO_TIME_ZONE: 'Europe/London' });
    ui = await openConsole(stack);
    const owner = await createAccount(stack.orm, {
      email: 'ada@studio.test',
      firstName: 'Ada',
      lastName: 'Owner',
      password: PASSWORD,
      role: 'admin',
    });
    const token = signToken(stack.app, owner);
    admin = { id: owner.id, email: owner.email, token, headers: { authorization: `Bearer ${token}` } };
    const account = (email: string, firstName: string, lastName: string, role: 'client' | 'trainer') =>
      createAccount(stack.orm, { email, firstName, lastName, password: PASSWORD, role }).then((user) => user.id);
    ids.trainer = await account('tom@studio.test', 'Tom', 'Trainer', 'trainer');
    ids.rosa = await account('rosa@studio.test', 'Rosa', 'Rowe', 'client');
    ids.mia = await account('mia@studio.test', 'Mia', 'Moss', 'client');
    ids.remy = await account('remy@studio.test', 'Remy', 'Reed', 'client');
    await grant(stack, ids.rosa, 3);
    await grant(stack, ids.mia, 2);
  }, 240_000);

  afterAll(async () => {
    await ui?.close();
    await stack?.close();
  });

  it('shows who waits in order with their state, adds and removes a client, and the schedule counts the waiting', async () => {
    const session = await createSession(stack, admin, ids.trainer, { startsAt: new Date(Date.now() + 26 * 3_600_000) });
    const booked = await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/book/${ids.rosa}`,
      headers: admin.headers,
      payload: { sessionId: session.id },
    });
    expect(booked.statusCode, booked.body).toBe(200);
    const joined = await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/${session.id}/waitlist`,
      headers: admin.headers,
      payload: { userId: ids.mia },
    });
    expect(joined.statusCode, joined.body).toBe(201);

    const { page, failures } = await ui.signedInPage('ada@studio.test', PASSWORD);
    try {
      await page.goto(`${ui.base}/admin/#/sessions?session=${session.id}`);
      const panel = page.getByRole('dialog', { name: 'Session', exact: true });
      const waitlist = panel.getByRole('list', { name: 'Waitlist' });
      await waitlist.getByText('1. Mia Moss').waitFor();
      await waitlist.getByText('Waiting', { exact: true }).waitFor();

      // The desk adds Remy, who has no credit: told that a freed seat would skip him.
      // The panel also holds the booking form; the waitlist's is the one with its own button.
      const addForm = panel.locator('form').filter({ has: page.getByRole('button', { name: 'Add to waitlist' }) });
      await addForm.getByLabel(/^Client/).fill('Remy');
      await page.getByRole('option', { name: /Remy Reed/ }).click();
      await panel.getByText('Remy Reed has no credit now: a freed seat skips them unless they buy one first.').waitFor();
      await panel.getByRole('button', { name: 'Add to waitlist' }).click();
      await page.getByText('Remy Reed is number 2 on the waitlist.').waitFor();
      await waitlist.getByText('2. Remy Reed').waitFor();
      await panel.getByText('Waitlist · 2 waiting').waitFor();
      await screenshot(page, 'session-panel-waitlist');

      // Mia is taken off; Remy moves up, and Mia's entry says what happened.
      await panel.getByRole('button', { name: 'Remove Mia Moss from the waitlist' }).click();
      await page.getByText('Mia Moss is off the waitlist.').waitFor();
      await waitlist.getByText('1. Remy Reed').waitFor();
      await waitlist.getByText(/Removed by the studio\./).waitFor();
      await screenshot(page, 'session-panel-waitlist-removed');
      const rows = await query<{ clientId: number; state: string }>(
        stack.orm,
        'select client_id as "clientId", state from waitlist_entries where session_id = ? order by id',
        [session.id],
      );
      expect(rows).toEqual([
        { clientId: ids.mia, state: 'left' },
        { clientId: ids.remy, state: 'waiting' },
      ]);

      await panel.getByRole('button', { name: 'Close the session panel' }).click();
      await page.getByText('1/1 booked · 1 waiting').first().waitFor();
      await screenshot(page, 'schedule-waitlist');
      expect(failures).toEqual([]);
    } finally {
      await page.context().close();
    }
  }, 120_000);
});
