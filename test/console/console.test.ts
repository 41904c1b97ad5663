import type { AddressInfo } from 'node:net';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../api/auth/tokens.js';
import { createAccount } from '../../model/accounts.js';
import { wakeSender } from '../../model/notifications.js';
import { query } from '../../model/transaction.js';
import { grant } from '../support/actors.js';
import { buildConsole, launchChromium, noChromium, screenshot, signIn as signInAs, staffPage, VIEWPORT } from '../support/console.js';
import { startStack, type TestStack } from '../support/stack.js';
import { account, checkout, completed, createPackage, deliver, purchaseRow, waitFor } from '../support/stripe.js';

/**
 * The console in a real browser against the real stack: the built react-admin app served
 * by the API at /admin, its data provider talking to /api/admin in the simple REST protocol.
 */
const PASSWORD = 'console e2e password';

let stack: TestStack;
let browser: Browser;
let base: string;
let allocationWorkflowUrl: string;
const ids = { admin: 0, client: 0, rich: 0, trainer: 0 };
let adminHeaders: Record<string, string>;
let bookingWorkflowUrl: string;
const people = {
  admin: { email: 'desk@studio.test', firstName: 'Front', lastName: 'Desk' },
  client: { email: 'lowe@studio.test', firstName: 'Lena', lastName: 'Lowe' },
  richClient: { email: 'rich@studio.test', firstName: 'Rafael', lastName: 'Richards' },
};

const signIn = (page: Page, email: string) => signInAs(page, base, email, PASSWORD);

/** A signed-in admin's page at the front desk's screen size, recording any failed API call or page error. */
async function adminPage(): Promise<{ page: Page; failures: string[] }> {
  const { page, failures } = await staffPage(browser);
  await signIn(page, people.admin.email);
  await page.locator('.MuiCard-root', { hasText: 'Welcome' }).waitFor();
  return { page, failures };
}

describe.skipIf(noChromium)('the console in Chromium', () => {
  beforeAll(async () => {
    await buildConsole();
    // After the build: buildApp serves the console only when admin/dist exists.
    stack = await startStack();
    await stack.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}`;

    const admin = await createAccount(stack.orm, { ...people.admin, password: PASSWORD, role: 'admin' });
    const client = await createAccount(stack.orm, { ...people.client, password: PASSWORD, role: 'client' });
    const rich = await createAccount(stack.orm, { ...people.richClient, password: PASSWORD, role: 'client' });
    await grant(stack, rich.id, 9);
    Object.assign(ids, { admin: admin.id, client: client.id, rich: rich.id });
    // The client's credit comes through the allocation workflow, so its ledger entry links to a workflow.
    const token = signToken(stack.app, admin);
    adminHeaders = { authorization: `Bearer ${token}` };
    const allocated = await stack.app.inject({
      method: 'POST',
      url: '/api/sessions/add-to-user',
      headers: { authorization: `Bearer ${token}` },
      payload: { userId: client.id, sessions: 2, reason: 'Welcome offer' },
    });
    expect(allocated.statusCode, allocated.body).toBe(200);
    const { workflowId } = allocated.json().data as { workflowId: string };
    const { uiUrl, namespace } = stack.settings.temporal;
    allocationWorkflowUrl = `${uiUrl}/namespaces/${namespace}/workflows/${encodeURIComponent(workflowId)}`;
    // One booking holds one of them (a ledger `hold` written by its book-to-deduct workflow).
    const trainer = await createAccount(stack.orm, {
      email: 'coach@studio.test',
      firstName: 'Casey',
      lastName: 'Coach',
      password: PASSWORD,
      role: 'trainer',
    });
    const created = await stack.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers: { authorization: `Bearer ${token}` },
      payload: { trainerId: trainer.id, startsAt: new Date(Date.now() + 3 * 86_400_000).toISOString(), durationMinutes: 60 },
    });
    expect(created.statusCode, created.body).toBe(201);
    const sessionId = (created.json() as { id: number }).id;
    ids.trainer = trainer.id;
    const booked = await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/book/${client.id}`,
      headers: { authorization: `Bearer ${token}` },
      payload: { sessionId },
    });
    expect(booked.statusCode, booked.body).toBe(200);
    bookingWorkflowUrl = `${uiUrl}/namespaces/${namespace}/workflows/booking-${sessionId}-${client.id}`;

    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('shows the login page and refuses a client account', async () => {
    const page = await browser.newPage();
    try {
      await page.goto(`${base}/admin/`);
      await page.getByRole('heading', { name: 'Studio Sessions' }).waitFor();
      await signIn(page, people.client.email);
      await page.getByText('This console is for studio staff.').waitFor();
      const token = await page.evaluate(() =>
        (globalThis as unknown as { localStorage: { getItem(key: string): string | null } }).localStorage.getItem('studio-sessions.token'),
      );
      expect(token).toBeNull();
    } finally {
      await page.close();
    }
  });

  it("lets an admin in: dashboard, clients with balance and low-balance flag, a client's ledger, links to Temporal", async () => {
    const page = await browser.newPage({ viewport: VIEWPORT, locale: 'en-US' });
    const failures: string[] = [];
    page.on('pageerror', (error) => failures.push(`page error: ${error.message}`));
    page.on('response', (response) => {
      if (response.url().includes('/api/') && response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
    });
    try {
      await signIn(page, people.admin.email);
      // The dashboard: the welcome card names the admin, the low-balance card lists the low client.
      await page.locator('.MuiCard-root', { hasText: 'Welcome' }).getByText('Front Desk').waitFor();
      const lowCard = page.locator('.MuiCard-root', { hasText: 'Low-balance clients' });
      await lowCard.getByText('Lena Lowe').waitFor();
      expect(await lowCard.getByText('Rafael Richards').count()).toBe(0);

      await page.getByRole('menuitem', { name: 'Clients' }).click();
      const lowRow = page.getByRole('row', { name: /Lowe/ });
      await lowRow.waitFor();
      const available = (await page.locator('thead th').allInnerTexts()).findIndex((header) => header.trim().startsWith('Available'));
      expect(available).toBeGreaterThan(0);
      expect((await lowRow.locator('td').allInnerTexts())[available]?.trim()).toMatch(/^1\s*Low balance$/);
      const richRow = page.getByRole('row', { name: /Richards/ });
      expect((await richRow.locator('td').allInnerTexts())[available]?.trim()).toBe('9');
      await screenshot(page, 'clients');

      // The client's page: figures and the ledger entry the allocation workflow wrote.
      await lowRow.getByRole('cell', { name: 'Lena Lowe', exact: true }).click();
      await page.getByText('Welcome offer').waitFor();
      const entry = page.getByRole('row', { name: /Welcome offer/ });
      expect(await entry.getByText('Given', { exact: true }).count()).toBe(1);
      expect(await entry.getByRole('link').getAttribute('href')).toBe(allocationWorkflowUrl);

      // The ledger: each workflow-written entry links to its history in the Temporal UI, in a new tab.
      await page.getByRole('menuitem', { name: 'Ledger', exact: true }).click();
      const link = page.locator(`a[href="${allocationWorkflowUrl}"]`);
      await link.waitFor();
      expect(await link.getAttribute('target')).toBe('_blank');
      expect(await link.getAttribute('rel')).toContain('noopener');

      // Filtered by kind through the console's own filter form: the booking's hold stays, the grant goes.
      await page.locator(`a[href="${bookingWorkflowUrl}"]`).waitFor();
      await page.getByRole('combobox', { name: 'Kind' }).click();
      await page.getByRole('option', { name: 'Held for a booking' }).click();
      await link.waitFor({ state: 'detached' });
      await page.locator(`a[href="${bookingWorkflowUrl}"]`).waitFor();
      expect(await page.getByRole('cell', { name: 'Given', exact: true }).count()).toBe(0);
      await screenshot(page, 'ledger');

      expect(failures).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('creates, edits and takes a package off sale through the forms', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT, locale: 'en-US' });
    try {
      await signIn(page, people.admin.email);
      await page.locator('.MuiCard-root', { hasText: 'Welcome' }).waitFor();
      await page.goto(`${base}/admin/#/packages/create`);
      await page.getByLabel(/^Name/).fill('Five pack');
      await page.getByLabel(/^Sessions/).fill('5');
      await page.getByLabel(/^Price/).fill('37500');
      await page.getByLabel(/^Valid for/).fill('90');
      await page.getByRole('button', { name: 'Save' }).click();
      const row = page.getByRole('row', { name: /Five pack/ });
      await row.waitFor();
      expect(await row.innerText()).toContain('$375.00');

      await row.click();
      await page.getByLabel(/^Price/).fill('35000');
      await page.getByRole('button', { name: 'Save' }).click();
      await page
        .getByRole('row', { name: /Five pack/ })
        .getByText('$350.00')
        .waitFor();

      await page.getByRole('row', { name: /Five pack/ }).click();
      await page.getByRole('button', { name: 'Take off sale' }).click();
      await page.getByRole('button', { name: 'Confirm' }).click();
      await page.waitForURL(/#\/packages$/);
      const [stored] = await query<{ priceCents: number; active: boolean; validityDays: number }>(
        stack.orm,
        `select price_cents as "priceCents", active, validity_days as "validityDays" from packages where name = 'Five pack'`,
      );
      expect(stored).toEqual({ priceCents: 35_000, active: false, validityDays: 90 });
    } finally {
      await page.close();
    }
  });

  it('gives a client 5 sessions with a reason from their page, once however often the button is pressed', async () => {
    const { page, failures } = await adminPage();
    try {
      await screenshot(page, 'dashboard');
      await page.goto(`${base}/admin/#/clients/${ids.rich}/show`);
      await page.getByText('rich@studio.test').waitFor();
      await page.getByRole('button', { name: 'Add / remove sessions' }).click();
      const dialog = page.getByRole('dialog', { name: /Add \/ remove sessions/ });
      await dialog.getByLabel(/^Sessions/).fill('5');
      await dialog.getByRole('button', { name: 'Goodwill gesture' }).click();
      await screenshot(page, 'allocation-dialog');
      await dialog.getByRole('button', { name: 'Add sessions' }).dblclick();
      await dialog.getByText('Added 5 sessions. Rafael Richards has 14 available now.').waitFor();
      await screenshot(page, 'allocation-done');
      await dialog.getByRole('button', { name: 'Close' }).click();
      await waitFor(
        () => page.locator('main').innerText(),
        (text) => /Available sessions\s+14\b/.test(text),
      );
      const grants = await query<{ delta: number; reason: string }>(
        stack.orm,
        `select delta, reason from ledger_entries where client_id = ? and kind = 'grant' and reason = 'Goodwill gesture'`,
        [ids.rich],
      );
      expect(grants).toEqual([{ delta: 5, reason: 'Goodwill gesture' }]);

      // The page of its own lists it among the recent allocations.
      await page.getByRole('menuitem', { name: 'Add / remove sessions' }).click();
      await page
        .getByRole('row', { name: /Goodwill gesture/ })
        .getByText('Rafael Richards')
        .waitFor();
      await screenshot(page, 'allocations');
      expect(failures).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('runs a session from the Master Schedule: create by clicking a slot, book a client, drag it to another hour, complete it', async () => {
    const { page, failures } = await adminPage();
    try {
      await page.getByRole('menuitem', { name: 'Schedule' }).click();
      await page.locator('.fc-timegrid').waitFor();
      await screenshot(page, 'schedule-week');
      await page.getByRole('tab', { name: 'List' }).click();
      await page
        .getByRole('row', { name: /Casey Coach/ })
        .first()
        .waitFor();
      await screenshot(page, 'sessions-list');
      await page.getByRole('tab', { name: 'Schedule' }).click();
      await page.locator('.fc-timegrid').waitFor();
      // Next week: every slot in it is in the future, whatever day the test runs.
      const title = await page.locator('.fc-toolbar-title').innerText();
      await page.locator('button.fc-next-button').click();
      await page.locator('.fc-toolbar-title', { hasNotText: title }).waitFor();
      const day = await page.locator('td.fc-timegrid-col[data-date]').nth(2).getAttribute('data-date');
      const column = page.locator(`td.fc-timegrid-col[data-date="${day}"]`);
      const slotAt = async (time: string) => {
        const lane = (await page.locator(`td.fc-timegrid-slot-lane[data-time="${time}"]`).boundingBox())!;
        const col = (await column.boundingBox())!;
        return { x: col.x + col.width / 2, y: lane.y + lane.height / 2 };
      };

      const ten = await slotAt('10:00:00');
      await page.mouse.click(ten.x, ten.y);
      const dialog = page.getByRole('dialog', { name: 'New session' });
      await dialog.getByLabel(/^Clients \(capacity\)/).fill('2');
      // The API's validation answer shows under the field it concerns.
      await dialog.getByLabel(/^Minutes/).fill('3');
      await dialog.getByRole('button', { name: 'Create session' }).click();
      await dialog.getByText('Must be at least 5').waitFor();
      await dialog.getByLabel(/^Minutes/).fill('60');
      await screenshot(page, 'session-create');
      await dialog.getByRole('button', { name: 'Create session' }).click();
      const block = column.locator('.fc-event', { hasText: 'Casey Coach' });
      await block.getByText('0/2 booked').waitFor();
      const startsAt = (time: string) => page.evaluate(([date, at]) => new Date(`${date}T${at}`).toISOString(), [day!, time]);
      const [created] = await query<{ id: number }>(stack.orm, 'select id from training_sessions where trainer_id = ? and starts_at = ?', [
        ids.trainer,
        await startsAt('10:00'),
      ]);
      expect(created).toBeDefined();

      await block.click();
      const panel = page.getByRole('dialog', { name: 'Session', exact: true });
      await panel.getByText('Nobody is booked yet. Book a client below.').waitFor();
      await screenshot(page, 'session-panel-empty');
      await panel.getByLabel(/^Client/).fill('Rich');
      await page.getByRole('option', { name: /Rafael Richards/ }).click();
      await panel.getByText(/Rafael Richards has \d+ available/).waitFor();
      await panel.getByRole('button', { name: 'Book client' }).click();
      const roster = panel.getByRole('list', { name: 'Booked clients' });
      await roster.getByText('Rafael Richards').waitFor();
      await roster.getByText('Credit held').waitFor();
      await block.getByText('1/2 booked').waitFor();
      await screenshot(page, 'session-panel-booked');
      await panel.getByRole('button', { name: 'Close the session panel' }).click();
      await panel.waitFor({ state: 'hidden' });

      // Drag from 10:00 to noon the way a hand does: press, move in steps, release (both within the window).
      await page.mouse.wheel(0, -5_000);
      const from = (await block.boundingBox())!;
      const two = await slotAt('12:00:00');
      await page.mouse.move(from.x + from.width / 2, from.y + 8);
      await page.mouse.down();
      await page.mouse.move(two.x, two.y - 10, { steps: 12 });
      await page.mouse.move(two.x, two.y, { steps: 4 });
      await page.mouse.up();
      await page.getByText('Session moved; booked clients keep their seats.').waitFor();
      const [moved] = await query<{ startsAt: Date }>(stack.orm, 'select starts_at as "startsAt" from training_sessions where id = ?', [
        created!.id,
      ]);
      expect(moved!.startsAt.toISOString()).toBe(await startsAt('12:00'));

      await block.click();
      await roster.getByText('Rafael Richards').waitFor();
      await panel.getByRole('button', { name: 'Complete all' }).click();
      await roster.getByText('Completed').waitFor();
      await roster.getByText('Credit consumed').waitFor();
      await screenshot(page, 'session-panel-completed');
      expect(failures).toEqual([`400 ${base}/api/sessions`]);
    } finally {
      await page.close();
    }
  });

  it('cancels a booking inside the cancel window with the forfeit waived, then the whole session, giving every credit back', async () => {
    const headers = adminHeaders;
    const created = await stack.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers,
      payload: { trainerId: ids.trainer, startsAt: new Date(Date.now() + 2 * 3_600_000).toISOString(), durationMinutes: 45, capacity: 2 },
    });
    expect(created.statusCode, created.body).toBe(201);
    const sessionId = (created.json() as { id: number }).id;
    for (const clientId of [ids.rich, ids.client]) {
      const booked = await stack.app.inject({ method: 'POST', url: `/api/sessions/book/${clientId}`, headers, payload: { sessionId } });
      expect(booked.statusCode, booked.body).toBe(200);
    }

    const { page, failures } = await adminPage();
    try {
      await page.goto(`${base}/admin/#/sessions?session=${sessionId}`);
      const panel = page.getByRole('dialog', { name: 'Session', exact: true });
      await panel.getByRole('button', { name: 'Actions for Rafael Richards' }).click();
      await page.getByRole('menuitem', { name: 'Cancel booking' }).click();
      const dialog = page.getByRole('dialog', { name: "Cancel Rafael Richards's booking?" });
      await dialog.getByText('This is inside the 24-hour cancel window').waitFor();
      await dialog.getByLabel('Waive the forfeit: give the credit back').check();
      await screenshot(page, 'cancel-booking-late');
      await dialog.getByRole('button', { name: 'Cancel booking' }).click();
      await page.getByText("Rafael Richards's booking is cancelled; the credit went back to the client.").waitFor();
      await panel.getByText('Credit released').waitFor();
      await screenshot(page, 'cancel-booking-done');
      const [booking] = await query<{ creditState: string }>(
        stack.orm,
        'select credit_state as "creditState" from bookings where session_id = ? and client_id = ?',
        [sessionId, ids.rich],
      );
      expect(booking).toEqual({ creditState: 'released' });

      await panel.getByRole('button', { name: 'Cancel this session' }).click();
      const whole = page.getByRole('dialog', { name: 'Cancel this session?' });
      await whole.getByText('1 booked client: 1 credit goes back.').waitFor();
      await whole.getByLabel(/^Reason/).fill('Trainer is ill');
      await screenshot(page, 'cancel-session');
      await whole.getByRole('button', { name: 'Cancel session' }).click();
      await page.getByText('Session cancelled; 1 credit went back to clients.').waitFor();
      await panel.getByText('Cancelled', { exact: true }).first().waitFor();
      const states = await query<{ creditState: string }>(
        stack.orm,
        'select credit_state as "creditState" from bookings where session_id = ? order by client_id',
        [sessionId],
      );
      expect(states).toEqual([{ creditState: 'released' }, { creditState: 'released' }]);
      expect(failures).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('refunds part of a purchase from its page, previewing the credits taken back', async () => {
    const tenPack = await createPackage(stack.orm, { sessions: 10, priceCents: 70_000, validityDays: 180, name: 'Ten pack' });
    const buyer = await account(stack, 'client');
    const purchase = await checkout(stack, buyer, tenPack);
    await deliver(stack, completed(purchase));
    await waitFor(
      () => purchaseRow(stack.orm, purchase.id),
      (row) => row.status === 'paid',
    );

    const { page, failures } = await adminPage();
    try {
      await page.getByRole('menuitem', { name: 'Purchases' }).click();
      const row = page.getByRole('row', { name: /Ten pack/ });
      await row.getByText('Paid', { exact: true }).waitFor();
      await screenshot(page, 'purchases');
      await row.click();
      await page.getByText(purchase.checkoutSessionId).waitFor();
      await screenshot(page, 'purchase');

      await page.getByRole('button', { name: 'Refund' }).click();
      const dialog = page.getByRole('dialog', { name: `Refund purchase #${purchase.id}` });
      await dialog.getByText(/Refunds are open for 180 days after payment/).waitFor();
      await dialog.getByLabel('An amount').check();
      await dialog.getByLabel('Amount to refund').fill('210');
      await dialog.getByText('Refunds $210.00 and takes back 3 credits').waitFor();
      await screenshot(page, 'refund-dialog');
      await dialog.getByRole('button', { name: 'Refund', exact: true }).click();
      await page.getByText('Refunded $210.00; 3 credits taken back.').waitFor();
      await page.getByText('Partially refunded').waitFor();
      await screenshot(page, 'purchase-refunded');
      expect(await purchaseRow(stack.orm, purchase.id)).toMatchObject({
        status: 'partially_refunded',
        refundedCents: 21_000,
        refundedSessions: 3,
      });
      expect(failures).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('shows a trainer only their own schedule and roster, without money or workflows', async () => {
    const page = await browser.newPage({ viewport: VIEWPORT, locale: 'en-US' });
    try {
      await signIn(page, 'coach@studio.test');
      await page.locator('.MuiCard-root', { hasText: 'Welcome' }).waitFor();
      expect(await page.getByRole('menuitem', { name: 'Purchases' }).count()).toBe(0);
      await page.getByRole('menuitem', { name: 'Bookings' }).click();
      await page
        .getByRole('row', { name: /Lena Lowe/ })
        .first()
        .waitFor();
      expect(await page.getByRole('columnheader', { name: 'Workflow' }).count()).toBe(0);
      await screenshot(page, 'trainer-bookings');
      await page.getByRole('menuitem', { name: 'Schedule' }).click();
      await page.locator('.fc-timegrid').waitFor();
      expect(await page.getByRole('combobox', { name: 'Trainer' }).count()).toBe(0);
      await screenshot(page, 'trainer-schedule');
    } finally {
      await page.close();
    }
  });

  it("lists a client's credit lots soonest-expiring first and extends one with a reason", async () => {
    const erin = await createAccount(stack.orm, {
      email: 'erin@studio.test',
      firstName: 'Erin',
      lastName: 'Ellis',
      password: PASSWORD,
      role: 'client',
    });
    const expiresAt = new Date(Date.now() + 5 * 86_400_000);
    await grant(stack, erin.id, 3, expiresAt);
    await grant(stack, erin.id, 2);
    const { page, failures } = await adminPage();
    try {
      await page.goto(`${base}/admin/#/clients/${erin.id}/show`);
      const row = page.getByRole('row', { name: /Given by the studio\s+3 of 3/ });
      await row.waitFor();
      expect(await page.getByRole('row', { name: /Never expires/ }).count()).toBe(1);
      await screenshot(page, 'client-lots');
      await row.getByRole('button', { name: 'Extend' }).click();
      const dialog = page.getByRole('dialog', { name: 'Extend expiry' });
      await dialog.getByLabel(/^Reason/).fill('Injured for two weeks');
      await screenshot(page, 'extend-dialog');
      await dialog.getByRole('button', { name: 'Extend' }).click();
      await page.getByText(/The 3 sessions now expire/).waitFor();
      const [lot] = await query<{ expiresAt: Date }>(
        stack.orm,
        `select expires_at as "expiresAt" from credit_lots where client_id = ? and expires_at is not null`,
        [erin.id],
      );
      // The dialog proposes 30 days past the current expiry.
      expect(lot!.expiresAt.getTime() - expiresAt.getTime()).toBeGreaterThan(29 * 86_400_000);
      const [adjust] = await query<{ reason: string }>(
        stack.orm,
        `select reason from ledger_entries where client_id = ? and kind = 'adjust'`,
        [erin.id],
      );
      expect(adjust!.reason).toContain('Injured for two weeks');
      await page.getByRole('row', { name: /Adjusted/ }).waitFor();
      await screenshot(page, 'client-lots-extended');
      expect(failures).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it("shows a client's emails with their delivery state: the booking sent, an opted-out nudge skipped", async () => {
    // Lena opted out of nudges, so the low-balance nudge written for her is skipped, not sent.
    await query(stack.orm, `update users set email_nudges = false where id = ?`, [ids.client]);
    await query(
      stack.orm,
      `insert into notifications (user_id, kind, payload, idempotency_key) values (?, 'credits.low', '{"available": 1}'::jsonb, 'console-test:nudge')`,
      [ids.client],
    );
    await wakeSender(stack.orm);
    // Her bookings and cancels earlier in this file each sent a receipt.
    await waitFor(
      () =>
        query<{ kind: string; state: string }>(stack.orm, `select kind, state from notifications where user_id = ? order by id`, [
          ids.client,
        ]),
      (rows) => rows.every((row) => row.state === (row.kind === 'credits.low' ? 'skipped' : 'sent')),
    );
    const { page, failures } = await adminPage();
    try {
      await page.goto(`${base}/admin/#/clients/${ids.client}/show/emails`);
      const booked = page.getByRole('row', { name: /Booking made/ }).last();
      await booked.waitFor();
      expect(await booked.getByText('Sent', { exact: true }).count()).toBe(1);
      expect(await booked.getByText(/^Booked: .* · Studio Sessions$/).count()).toBe(1);
      const nudge = page.getByRole('row', { name: /Low balance/ });
      expect(await nudge.getByText('Skipped', { exact: true }).count()).toBe(1);
      expect(await nudge.getByText('the client opted out of nudges').count()).toBe(1);
      await screenshot(page, 'client-emails');
      expect(failures).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
