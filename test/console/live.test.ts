import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../api/auth/tokens.js';
import { createAccount } from '../../model/accounts.js';
import { createSession, grant, type TestUser } from '../support/actors.js';
import { listeningUrl } from '../support/event-stream.js';
import { startStack, type TestStack } from '../support/stack.js';
import { buildConsole, launchChromium, noChromium, screenshot, signIn, staffPage } from '../support/console.js';

/**
 * Live updates in a real browser: two consoles open on the real stack, a change made in
 * one (or through the REST API) shows in the other without a reload, through GET
 * /api/events and the console's refetch of what the change touched.
 */
const PASSWORD = 'live console password';

let stack: TestStack;
let browser: Browser;
let base: string;
const admin = { email: 'live-desk@studio.test', firstName: 'Live', lastName: 'Desk' };
let client: TestUser;
let trainerId: number;
let adminUser: TestUser;

/** A console that is following the change stream: its app bar says Live. */
async function liveConsole(): Promise<{ page: Page; failures: string[] }> {
  const { page, failures } = await staffPage(browser);
  await signIn(page, base, admin.email, PASSWORD);
  await page.getByLabel('Live updates: Live').waitFor();
  return { page, failures };
}

async function availableOn(page: Page): Promise<number> {
  const text = await page.locator('main').innerText();
  return Number(/Available sessions\s+(\d+)/.exec(text)?.[1] ?? NaN);
}

describe.skipIf(noChromium)('live updates in the console', () => {
  beforeAll(async () => {
    await buildConsole();
    stack = await startStack();
    base = await listeningUrl(stack.app);
    const account = await createAccount(stack.orm, { ...admin, password: PASSWORD, role: 'admin' });
    const adminToken = signToken(stack.app, account);
    adminUser = { id: account.id, email: admin.email, token: adminToken, headers: { authorization: `Bearer ${adminToken}` } };
    const clientAccount = await createAccount(stack.orm, {
      email: 'live-client@studio.test',
      firstName: 'Lola',
      lastName: 'Live',
      password: PASSWORD,
      role: 'client',
    });
    const token = signToken(stack.app, clientAccount);
    client = { id: clientAccount.id, email: clientAccount.email, token, headers: { authorization: `Bearer ${token}` } };
    await grant(stack, client.id, 3);
    const trainer = await createAccount(stack.orm, {
      email: 'live-coach@studio.test',
      firstName: 'Theo',
      lastName: 'Trainer',
      password: PASSWORD,
      role: 'trainer',
    });
    trainerId = trainer.id;
    browser = await launchChromium();
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it("shows 5 sessions allocated on one page in the client's balance on a second open page", async () => {
    const watcher = await liveConsole();
    const desk = await liveConsole();
    try {
      await watcher.page.goto(`${base}/admin/#/clients/${client.id}/show`);
      await watcher.page.getByText(client.email).waitFor();
      const before = await availableOn(watcher.page);
      expect(before).toBe(3);

      await desk.page.goto(`${base}/admin/#/clients/${client.id}/show`);
      await desk.page.getByRole('button', { name: 'Add / remove sessions' }).click();
      const dialog = desk.page.getByRole('dialog', { name: /Add \/ remove sessions/ });
      await dialog.getByLabel(/^Sessions/).fill('5');
      await dialog.getByRole('button', { name: 'Goodwill gesture' }).click();
      const clicked = performance.now();
      await dialog.getByRole('button', { name: 'Add sessions' }).click();
      await dialog.getByText('Added 5 sessions. Lola Live has 8 available now.').waitFor();
      const confirmed = performance.now();
      await watcher.page
        .locator('main')
        .getByText(/Available sessions\s*8\b/)
        .waitFor({ timeout: 5_000 });
      const seen = performance.now();
      console.log(
        `live balance: the second page showed 8 available ${(seen - clicked).toFixed(0)} ms after "Add sessions" was clicked ` +
          `(${(seen - confirmed).toFixed(0)} ms after the first page confirmed it)`,
      );
      expect(seen - confirmed).toBeLessThan(1_000);
      await screenshot(watcher.page, 'live-balance-second-page');
      await desk.page.getByRole('button', { name: 'Close' }).click();
      expect([...watcher.failures, ...desk.failures]).toEqual([]);
    } finally {
      await watcher.page.close();
      await desk.page.close();
    }
  });

  it('shows a booking made through the REST API in an open Master Schedule and its panel within 1 s', async () => {
    // Later today (or early tomorrow), so the schedule's current week shows it.
    const session = await createSession(stack, adminUser, trainerId, {
      startsAt: new Date(Math.ceil(Date.now() / 3_600_000) * 3_600_000 + 3_600_000),
      capacity: 2,
    });
    const { page, failures } = await liveConsole();
    try {
      await page.goto(`${base}/admin/#/sessions?session=${session.id}`);
      const panel = page.getByRole('dialog', { name: 'Session', exact: true });
      await panel.getByText('Nobody is booked yet. Book a client below.').waitFor();
      const block = page.locator('.fc-event', { hasText: 'Theo Trainer' });
      await block.getByText('0/2 booked').waitFor();

      const sent = performance.now();
      const booked = await fetch(`${base}/api/sessions/book/${client.id}`, {
        method: 'POST',
        headers: { ...client.headers, 'content-type': 'application/json' },
        body: JSON.stringify({ sessionId: session.id }),
      });
      const answered = performance.now();
      expect(booked.status).toBe(200);
      await panel.getByRole('list', { name: 'Booked clients' }).getByText('Lola Live').waitFor({ timeout: 5_000 });
      const inRoster = performance.now();
      await block.getByText('1/2 booked').waitFor({ timeout: 5_000 });
      const onBlock = performance.now();
      console.log(
        `live booking: the API answered after ${(answered - sent).toFixed(0)} ms; the panel's roster showed the client ` +
          `${(inRoster - sent).toFixed(0)} ms and the block "1/2 booked" ${(onBlock - sent).toFixed(0)} ms after the request was sent`,
      );
      expect(inRoster - answered).toBeLessThan(1_000);
      expect(onBlock - answered).toBeLessThan(1_000);
      await screenshot(page, 'live-booking-schedule');
      expect(failures).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
