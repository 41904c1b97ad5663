import { readFile } from 'node:fs/promises';
import { DateTime } from 'luxon';
import type { Locator } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../api/auth/tokens.js';
import { createAccount } from '../../model/accounts.js';
import { query } from '../../model/transaction.js';
import { grant } from '../support/actors.js';
import { buildConsole, noChromium, openConsole, screenshot, type ConsoleBrowser } from '../support/console.js';
import { eventually } from '../support/eventually.js';
import { startStack, type TestStack } from '../support/stack.js';
import { ANY_HOUR_POLICIES, book, placeSession } from '../support/studio-day.js';
import { chargeRefunded, checkout, completed, createPackage, deliver, settled } from '../support/stripe.js';

/*
 * The Reports page over books the real flows wrote: two purchases through signed webhooks,
 * an allocation, a completed session, a no-show, a held group seat and a partial refund.
 * The figures are worked out by hand below (README, "Reports"), in dollars as the owner reads them.
 */
const STUDIO_ZONE = 'Pacific/Auckland';
const PASSWORD = 'reports e2e password';
const people = {
  admin: { email: 'owner@studio.test', firstName: 'Olive', lastName: 'Owner' },
  trainer: { email: 'casey@studio.test', firstName: 'Casey', lastName: 'Coach' },
  otherTrainer: { email: 'tara@studio.test', firstName: 'Tara', lastName: 'Trainer' },
  client: { email: 'lena@studio.test', firstName: 'Lena', lastName: 'Lowe' },
  otherClient: { email: 'rafael@studio.test', firstName: 'Rafael', lastName: 'Richards' },
};

let stack: TestStack;
let consoleBrowser: ConsoleBrowser;
let adminHeaders: { authorization: string };

const rowText = async (table: Locator, name: string) =>
  (await table.getByRole('row').filter({ hasText: name }).first().innerText()).replace(/\s+/g, ' ').trim();

describe.skipIf(noChromium)('the Reports page in Chromium', () => {
  beforeAll(async () => {
    await buildConsole();
    stack = await startStack({ STUDIO_TIME_ZONE: STUDIO_ZONE, ...ANY_HOUR_POLICIES });
    const admin = await createAccount(stack.orm, { ...people.admin, password: PASSWORD, role: 'admin' });
    const trainer = await createAccount(stack.orm, { ...people.trainer, password: PASSWORD, role: 'trainer' });
    const otherTrainer = await createAccount(stack.orm, { ...people.otherTrainer, password: PASSWORD, role: 'trainer' });
    const lena = await createAccount(stack.orm, { ...people.client, password: PASSWORD, role: 'client' });
    const rafael = await createAccount(stack.orm, { ...people.otherClient, password: PASSWORD, role: 'client' });
    adminHeaders = { authorization: `Bearer ${signToken(stack.app, admin)}` };
    const staff = { headers: adminHeaders };
    const as = (user: Awaited<ReturnType<typeof createAccount>>) => ({
      ...user,
      token: '',
      headers: { authorization: `Bearer ${signToken(stack.app, user)}` },
    });

    const tenPack = await createPackage(stack.orm, { sessions: 10, priceCents: 70_000, name: 'Ten pack', validityDays: null });
    const threePack = await createPackage(stack.orm, { sessions: 3, priceCents: 25_000, name: 'Three for $250', validityDays: null });
    const lenaTen = await checkout(stack, as(lena), tenPack);
    await deliver(stack, completed(lenaTen));
    await settled(stack, lenaTen.id);
    const rafaelThree = await checkout(stack, as(rafael), threePack);
    await deliver(stack, completed(rafaelThree));
    await settled(stack, rafaelThree.id);
    await grant(stack, rafael.id, 2);

    const hoursAgo = (trainerId: number, hours: number, capacity = 1) =>
      placeSession(stack, { trainerId, startsAt: new Date(Date.now() - hours * 3_600_000), capacity });
    const lenaSession = await hoursAgo(trainer.id, 3);
    const rafaelSession = await hoursAgo(otherTrainer.id, 2);
    const groupSession = await hoursAgo(trainer.id, 1, 4);
    await book(stack, staff, lena.id, lenaSession);
    await book(stack, staff, rafael.id, rafaelSession);
    await book(stack, staff, rafael.id, groupSession);
    for (const [sessionId, clientId, action, status] of [
      [lenaSession, lena.id, 'complete', 'completed'],
      [rafaelSession, rafael.id, 'no-show', 'no_show'],
    ] as const) {
      const response = await stack.app.inject({
        method: 'POST',
        url: `/api/sessions/${sessionId}/${action}`,
        headers: adminHeaders,
        payload: { userId: clientId },
      });
      expect(response.statusCode, response.body).toBe(202);
      await eventually(async () => {
        const [row] = await query<{ status: string }>(stack.orm, `select status from bookings where session_id = ?`, [sessionId]);
        expect(row!.status).toBe(status);
      }, 15_000);
    }
    // $70 of Lena's $700 back: one session taken back.
    await deliver(stack, chargeRefunded(lenaTen, 7_000, [{ id: `re_${lenaTen.id}`, amount: 7_000 }]));
    await settled(stack, lenaTen.id);

    consoleBrowser = await openConsole(stack);
  }, 480_000);

  afterAll(async () => {
    await consoleBrowser?.close();
    await stack?.close();
  });

  it('shows the roll-forward, what is owed per package and usage per trainer in dollars and names, and downloads the CSV', async () => {
    const { page, failures } = await consoleBrowser.signedInPage(people.admin.email, PASSWORD);
    await page.getByRole('menuitem', { name: 'Reports' }).click();
    // From two days back on the studio's calendar: the sessions of earlier today are in, whatever the hour.
    const from = DateTime.now().setZone(STUDIO_ZONE).minus({ days: 2 }).toISODate()!;
    await page.getByLabel('From').fill(from);

    const rollForward = page.getByRole('table', { name: 'Roll-forward' });
    await rollForward.getByText('$950.00').waitFor();
    expect(await rowText(rollForward, 'Owed at the start')).toBe('Owed at the start 0 $0.00');
    expect(await rowText(rollForward, 'Sold')).toBe('Sold (purchases paid) + 13 + $950.00');
    expect(await rowText(rollForward, 'Allocated')).toBe('Allocated by the studio + 2 + $0.00');
    expect(await rowText(rollForward, 'Used')).toBe('Used (sessions completed) − 1 − $70.00');
    // Rafael's no-show: 3 → 2 sessions of $250.00 is $250.00 − $166.66.
    expect(await rowText(rollForward, 'Forfeited')).toBe('Forfeited (late cancels, no-shows) − 1 − $83.34');
    expect(await rowText(rollForward, 'Refunded')).toBe('Refunded or disputed − 1 − $70.00');
    expect(await rowText(rollForward, 'Owed at the end')).toBe('Owed at the end 12 $726.66');

    const liability = page.getByRole('table', { name: 'Credits owed per package' });
    await liability.getByText('Ten pack').waitFor();
    expect(await rowText(liability, 'Ten pack')).toBe('Ten pack 1 8 $560.00');
    expect(await rowText(liability, 'Three for $250')).toBe('Three for $250 1 2 $166.66');
    expect(await rowText(liability, 'Allocated by the studio')).toBe('Allocated by the studio 1 2 not paid for');

    const trainers = page.getByRole('table', { name: 'Usage per trainer' });
    await trainers.getByText('Casey Coach').waitFor();
    // Casey: Lena's completed session and the group class (1 of 4 seats held); Tara: Rafael's no-show.
    expect(await rowText(trainers, 'Casey Coach')).toBe('Casey Coach 2 40% (2/5) 2 1 0 (0%) 0 (0%) 1 $70.00');
    expect(await rowText(trainers, 'Tara Trainer')).toBe('Tara Trainer 1 100% (1/1) 1 0 1 (100%) 0 (0%) 1 $83.34');
    const types = page.getByRole('table', { name: 'Usage per session type' });
    expect(await rowText(types, 'Small group')).toBe('Small group 1 25% (1/4) 1 0 0 (—) 0 (0%) 0 $0.00');
    await page.locator('.recharts-bar-rectangle').first().waitFor();
    await screenshot(page, 'reports');

    const card = page.locator('.MuiCard-root').filter({ has: page.getByRole('table', { name: 'Roll-forward' }) });
    const [download] = await Promise.all([page.waitForEvent('download'), card.getByRole('button', { name: 'Download CSV' }).click()]);
    const downloaded = await readFile((await download.path())!, 'utf8');
    const to = DateTime.now().setZone(STUDIO_ZONE).toISODate()!;
    const api = await stack.app.inject({
      url: `/api/admin/reports/roll-forward.csv?${new URLSearchParams({ from, to })}`,
      headers: adminHeaders,
    });
    // The same report (its `to` is "now", so compare all but the period's end).
    const withoutEnd = (csv: string) =>
      csv.split('\r\n').map((line) =>
        line
          .split(',')
          .filter((_, index) => index !== 1)
          .join(','),
      );
    expect(withoutEnd(downloaded)).toEqual(withoutEnd(api.body));
    expect(downloaded).toContain('sessions,,0,13,2,0,1,1,0,1,0,12');
    expect(failures).toEqual([]);
  });
});
