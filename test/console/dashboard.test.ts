import type { AddressInfo } from 'node:net';
import { DateTime } from 'luxon';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../api/auth/tokens.js';
import { createAccount } from '../../model/accounts.js';
import { query } from '../../model/transaction.js';
import { ensureReconciliationSchedule } from '../../worker/reconciliation-schedule.js';
import { grant } from '../support/actors.js';
import { buildConsole, launchChromium, noChromium, screenshot, signIn, staffPage } from '../support/console.js';
import { startStack, type TestStack } from '../support/stack.js';
import { ANY_HOUR_POLICIES, book, placeSession, studioDate, studioTime } from '../support/studio-day.js';
import { checkout, completed, createPackage, deliver, purchaseRow, waitFor } from '../support/stripe.js';

/*
 * The dashboard, the app bar and the Master Schedule read the studio's clock, not the
 * browser's: the studio is in Auckland, the browser in New York (16 to 18 hours behind,
 * usually on another date).
 */
const STUDIO_ZONE = 'Pacific/Auckland';
const BROWSER_ZONE = 'America/New_York';
const PASSWORD = 'dashboard e2e password';

let stack: TestStack;
let browser: Browser;
let base: string;
const people = {
  admin: { email: 'owner@studio.test', firstName: 'Olive', lastName: 'Owner' },
  trainer: { email: 'casey@studio.test', firstName: 'Casey', lastName: 'Coach' },
  otherTrainer: { email: 'tara@studio.test', firstName: 'Tara', lastName: 'Trainer' },
  client: { email: 'lena@studio.test', firstName: 'Lena', lastName: 'Lowe' },
  otherClient: { email: 'rafael@studio.test', firstName: 'Rafael', lastName: 'Richards' },
};
const sessions = { morning: 0, lateEvening: 0, otherTrainers: 0 };

/** 7:00 AM as this browser's en-US locale writes a time in the studio's zone. */
const studioClock = (at: Date) => at.toLocaleTimeString('en-US', { timeStyle: 'short', timeZone: STUDIO_ZONE });

/** A figure card, by its title. */
const figure = (page: Page, title: string) =>
  page.locator('.MuiCard-root').filter({ has: page.getByRole('heading', { name: title, exact: true }) });

async function signedIn(email: string): Promise<{ page: Page; failures: string[]; close: () => Promise<void> }> {
  const opened = await staffPage(browser, { timezoneId: BROWSER_ZONE });
  await signIn(opened.page, base, email, PASSWORD);
  await opened.page.locator('.MuiCard-root', { hasText: 'Welcome' }).waitFor();
  return opened;
}

describe.skipIf(noChromium)('the dashboard in Chromium, in the studio’s time zone', () => {
  beforeAll(async () => {
    await buildConsole();
    stack = await startStack({ STUDIO_TIME_ZONE: STUDIO_ZONE, STUDIO_NAME: 'Harbour Strength', ...ANY_HOUR_POLICIES });
    // As a worker does at start: "Check now" starts this schedule's reconciliation.
    await ensureReconciliationSchedule(stack.temporal, stack.settings);
    await stack.app.listen({ host: '127.0.0.1', port: 0 });
    base = `http://127.0.0.1:${(stack.app.server.address() as AddressInfo).port}`;

    const admin = await createAccount(stack.orm, { ...people.admin, password: PASSWORD, role: 'admin' });
    const trainer = await createAccount(stack.orm, { ...people.trainer, password: PASSWORD, role: 'trainer' });
    const otherTrainer = await createAccount(stack.orm, { ...people.otherTrainer, password: PASSWORD, role: 'trainer' });
    const client = await createAccount(stack.orm, { ...people.client, password: PASSWORD, role: 'client' });
    const otherClient = await createAccount(stack.orm, { ...people.otherClient, password: PASSWORD, role: 'client' });
    await grant(stack, client.id, 2);
    await grant(stack, otherClient.id, 2);
    const staff = { headers: { authorization: `Bearer ${signToken(stack.app, admin)}` } };

    sessions.morning = await placeSession(stack, { trainerId: trainer.id, startsAt: studioTime(STUDIO_ZONE, 0, '07:00') });
    sessions.lateEvening = await placeSession(stack, {
      trainerId: trainer.id,
      startsAt: studioTime(STUDIO_ZONE, 0, '23:30'),
      capacity: 6,
    });
    sessions.otherTrainers = await placeSession(stack, {
      trainerId: otherTrainer.id,
      startsAt: studioTime(STUDIO_ZONE, 0, '12:00'),
      capacity: 2,
    });
    await book(stack, staff, client.id, sessions.morning);
    await book(stack, staff, otherClient.id, sessions.lateEvening);
    await book(stack, staff, otherClient.id, sessions.otherTrainers);

    // Money for the admin's cards: one ten pack paid, one checkout waiting.
    const tenPack = await createPackage(stack.orm, { sessions: 10, priceCents: 70_000, name: 'Ten pack' });
    const buyer = { id: client.id, email: client.email, token: '', headers: { authorization: `Bearer ${signToken(stack.app, client)}` } };
    const paid = await checkout(stack, buyer, tenPack);
    await deliver(stack, completed(paid));
    await waitFor(
      () => purchaseRow(stack.orm, paid.id),
      (row) => row.status === 'paid',
    );
    await checkout(stack, buyer, tenPack);

    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("shows an admin today's figures and schedule, and the app bar's clock, at the studio's time", async () => {
    const { page, failures, close } = await signedIn(people.admin.email);
    try {
      const before = new Date();
      const clock = await page.getByTestId('studio-clock').innerText();
      const after = new Date();
      // The clock refreshes every 15 s (StudioClock.tsx), so it may still show the minute of up to 15 s ago.
      const earliest = new Date(before.getTime() - 15_000);
      expect([earliest, before, after].map((at) => `${STUDIO_ZONE} · ${studioClock(at)}`)).toContain(clock);
      expect(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone)).toBe(BROWSER_ZONE);

      const today = page.getByRole('list', { name: "Today's schedule" });
      await today.getByText('Casey Coach').first().waitFor();
      const rows = await today.getByRole('button').allInnerTexts();
      expect(rows.map((row) => row.replace(/\s+/g, ' ').trim())).toEqual([
        '7:00 AM – 8:00 AM Casey Coach 1/1 booked Scheduled',
        '12:00 PM – 1:00 PM Tara Trainer 1/2 booked Scheduled',
        '11:30 PM – 12:30 AM Casey Coach 1/6 booked Scheduled',
      ]);
      expect(await figure(page, 'Sessions today').innerText()).toMatch(/^Sessions today\s+3\s+3 of 9 seats booked$/i);
      expect(await figure(page, 'Revenue, last 30 days').innerText()).toContain('$700.00');
      expect(await figure(page, 'Outstanding credits').innerText()).toMatch(
        /^Outstanding credits\s+\$700\.00\s+14 credits unused: 10 paid for, 4 given$/i,
      );
      expect(await figure(page, 'Pending purchases').innerText()).toMatch(
        /^Pending purchases\s+1\s+\$700\.00 awaiting payment\s+See them$/i,
      );
      const health = page.locator('.MuiCard-root', { hasText: 'System health' });
      await health.getByText('Balance drift').waitFor();
      expect(await health.innerText()).toMatch(/Database\s+OK\s+Temporal\s+OK[\s\S]*Balance drift\s+0 clients/);
      // "Check now" runs the scheduled reconciliation; its drift and time (studio clock) follow.
      await health.getByRole('button', { name: 'Check now' }).click();
      const books = health.getByText(/^drift \d+ · /);
      await books.waitFor({ timeout: 20_000 });
      const [latest] = await query<{ finishedAt: Date }>(
        stack.orm,
        `select finished_at as "finishedAt" from reconciliation_runs order by id desc limit 1`,
      );
      expect(await books.innerText()).toBe(`drift 0 · ${studioClock(latest!.finishedAt)}`);
      await screenshot(page, 'dashboard-admin');

      // Today's row opens the session's panel right on the dashboard.
      await today.getByRole('button', { name: /11:30 PM/ }).click();
      const panel = page.getByRole('dialog', { name: 'Session', exact: true });
      await panel.getByText('Rafael Richards').waitFor();
      expect(await panel.innerText()).toContain('11:30 PM – 12:30 AM');
      expect(failures).toEqual([]);
    } finally {
      await close();
    }
  });

  it("puts sessions on the Master Schedule at the studio's hour and date, not the browser's", async () => {
    const { page, failures, close } = await signedIn(people.admin.email);
    try {
      await page.getByRole('menuitem', { name: 'Schedule' }).click();
      await page.locator('.fc-timegrid').waitFor();
      const column = page.locator(`td.fc-timegrid-col[data-date="${studioDate(STUDIO_ZONE)}"]`);
      const morning = column.locator('.fc-event', { hasText: 'Casey Coach' }).first();
      await morning.waitFor();
      expect(await morning.innerText()).toMatch(/^7:00/);
      // The 23:30 session widens the day to midnight instead of falling off the grid.
      await column
        .locator('.fc-event', { hasText: '1/6 booked' })
        .getByText(/^11:30/)
        .waitFor();
      await page.locator('td.fc-timegrid-slot-lane[data-time="23:30:00"]').waitFor();
      await screenshot(page, 'schedule-studio-zone');

      // A slot clicked at the studio's 10:00 is created at the studio's 10:00.
      await page.locator('button.fc-next-button').click();
      const day = await page.locator('td.fc-timegrid-col[data-date]').nth(2).getAttribute('data-date');
      const lane = (await page.locator('td.fc-timegrid-slot-lane[data-time="10:00:00"]').boundingBox())!;
      const col = (await page.locator(`td.fc-timegrid-col[data-date="${day}"]`).boundingBox())!;
      await page.mouse.click(col.x + col.width / 2, lane.y + lane.height / 2);
      const dialog = page.getByRole('dialog', { name: 'New session' });
      expect(await dialog.getByLabel(/^Starts at/).inputValue()).toBe(`${day}T10:00`);
      await dialog.getByText(`Studio time (${STUDIO_ZONE})`).waitFor();
      await dialog.getByRole('button', { name: 'Create session' }).click();
      await dialog.waitFor({ state: 'hidden' });
      const [created] = await query<{ startsAt: Date }>(
        stack.orm,
        `select starts_at as "startsAt" from training_sessions where to_char(starts_at at time zone ?, 'YYYY-MM-DD"T"HH24:MI') = ?`,
        [STUDIO_ZONE, `${day}T10:00`],
      );
      expect(created).toBeDefined();
      expect(failures).toEqual([]);
    } finally {
      await close();
    }
  });

  it("reads typed dates as the studio's: an expiry given from the low-balance card, a ledger filter", async () => {
    const { page, failures, close } = await signedIn(people.admin.email);
    try {
      const expiresOn = DateTime.now().setZone(STUDIO_ZONE).plus({ days: 20 }).toISODate()!;
      await page
        .locator('.MuiCard-root', { hasText: 'Low-balance clients' })
        .getByRole('button', { name: 'Add / remove sessions for Rafael Richards' })
        .click();
      const dialog = page.getByRole('dialog', { name: /Add \/ remove sessions/ });
      await dialog.getByLabel(/^Sessions/).fill('4');
      await dialog.getByRole('button', { name: 'Goodwill gesture' }).click();
      await dialog.getByLabel(/^Credits expire on/).fill(expiresOn);
      await dialog.getByRole('button', { name: 'Add sessions' }).click();
      // No longer low, the client leaves the card (and the dialog with it); the notice says the new balance.
      await page.getByText('Added 4 sessions. New balance: 4 available now.').waitFor();
      const [lot] = await query<{ expiresAt: Date }>(
        stack.orm,
        `select l.expires_at as "expiresAt" from credit_lots l join users u on u.id = l.client_id
          where u.email = ? and l.quantity = 4`,
        [people.otherClient.email],
      );
      // The last moment of that day in Auckland, not in the browser's New York.
      expect(lot!.expiresAt.toISOString()).toBe(DateTime.fromISO(expiresOn, { zone: STUDIO_ZONE }).endOf('day').toUTC().toISO());

      await page.getByRole('menuitem', { name: 'Ledger', exact: true }).click();
      const from = studioDate(STUDIO_ZONE);
      const midnight = DateTime.fromISO(from, { zone: STUDIO_ZONE }).toUTC().toISO()!;
      const filtered = page.waitForRequest(
        (request) =>
          request.url().includes('/api/admin/ledger?') && new URL(request.url()).searchParams.get('filter')?.includes(midnight) === true,
      );
      await page.getByLabel('From').fill(from);
      await filtered;
      expect(await page.getByLabel('From').inputValue()).toBe(from);
      await page.getByRole('row', { name: /Goodwill gesture/ }).waitFor();
      expect(failures).toEqual([]);
    } finally {
      await close();
    }
  });

  it('gives a trainer their day: only their sessions today, no money, and marks one complete from the dashboard', async () => {
    const { page, failures, close } = await signedIn(people.trainer.email);
    try {
      const mine = page.getByRole('list', { name: 'My sessions today' });
      await mine.getByText('Casey Coach').first().waitFor();
      expect((await mine.getByRole('button').allInnerTexts()).map((row) => row.replace(/\s+/g, ' ').trim())).toEqual([
        '7:00 AM – 8:00 AM Casey Coach 1/1 booked Scheduled',
        '11:30 PM – 12:30 AM Casey Coach 1/6 booked Scheduled',
      ]);
      expect(await page.getByText('Tara Trainer').count()).toBe(0);
      for (const hidden of ['Revenue, last 30 days', 'Outstanding credits', 'Pending purchases', 'System health', 'Low-balance clients']) {
        expect(await page.getByText(hidden).count(), hidden).toBe(0);
      }
      expect(await figure(page, 'Sessions today').innerText()).toMatch(/^Sessions today\s+2\s+2 of 7 seats booked$/i);
      await screenshot(page, 'dashboard-trainer');

      await mine.getByRole('button', { name: /7:00 AM/ }).click();
      const panel = page.getByRole('dialog', { name: 'Session', exact: true });
      const roster = panel.getByRole('list', { name: 'Booked clients' });
      await roster.getByText('Lena Lowe').waitFor();
      await panel.getByRole('button', { name: 'Complete all' }).click();
      await roster.getByText('Completed').waitFor();
      await roster.getByText('Credit consumed').waitFor();
      await screenshot(page, 'dashboard-trainer-completed');
      await panel.getByRole('button', { name: 'Close the session panel' }).click();
      await mine
        .getByRole('button', { name: /7:00 AM/ })
        .getByText('Completed')
        .waitFor();
      const [booking] = await query<{ status: string; creditState: string }>(
        stack.orm,
        `select status, credit_state as "creditState" from bookings where session_id = ?`,
        [sessions.morning],
      );
      expect(booking).toEqual({ status: 'completed', creditState: 'consumed' });
      expect(failures).toEqual([]);
    } finally {
      await close();
    }
  });
});
