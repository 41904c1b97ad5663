import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signToken } from '../../api/auth/tokens.js';
import { createAccount } from '../../model/accounts.js';
import { query } from '../../model/transaction.js';
import { grant } from '../support/actors.js';
import { buildConsole, noChromium, openConsole, screenshot, type ConsoleBrowser } from '../support/console.js';
import { startStack, type TestStack } from '../support/stack.js';

/** A weekly series edited and cancelled from one of its sessions, in Chromium against the real stack. */

const PASSWORD = 'series e2e password';
const ZONE = 'America/Chicago';
const DAY = 86_400_000;

let stack: TestStack;
let ui: ConsoleBrowser;
const ids = { trainer: 0, other: 0, nora: 0, omar: 0 };
let series: Array<{ id: number; startsAt: string }> = [];

/** 09:00 in Chicago on a day ahead (the test's own arithmetic: 15:00 UTC in winter, 14:00 in summer). */
function nineInChicago(daysAhead: number): Date {
  const day = new Date(Date.now() + daysAhead * DAY);
  const utcNine = Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 9);
  const chicagoHour = Number(new Intl.DateTimeFormat('en-US', { timeZone: ZONE, hour: 'numeric', hourCycle: 'h23' }).format(utcNine));
  return new Date(utcNine + (9 - chicagoHour) * 3_600_000);
}

describe.skipIf(noChromium)('a weekly series in the console', () => {
  beforeAll(async () => {
    await buildConsole();
    stack = await startStack({ STUDIO_TIME_ZONE: ZONE });
    ui = await openConsole(stack);
    const admin = await createAccount(stack.orm, {
      email: 'owner@series.test',
      password: PASSWORD,
      role: 'admin',
      firstName: 'Olga',
      lastName: 'Owner',
    });
    const headers = { authorization: `Bearer ${signToken(stack.app, admin)}` };
    ids.trainer = (
      await createAccount(stack.orm, { email: 'tia@series.test', password: PASSWORD, role: 'trainer', firstName: 'Tia', lastName: 'Coach' })
    ).id;
    ids.other = (
      await createAccount(stack.orm, { email: 'ugo@series.test', password: PASSWORD, role: 'trainer', firstName: 'Ugo', lastName: 'Lift' })
    ).id;
    ids.nora = (
      await createAccount(stack.orm, { email: 'nora@series.test', password: PASSWORD, role: 'client', firstName: 'Nora', lastName: 'Nash' })
    ).id;
    ids.omar = (
      await createAccount(stack.orm, {
        email: 'omar@series.test',
        password: PASSWORD,
        role: 'client',
        firstName: 'Omar',
        lastName: 'Ortiz',
      })
    ).id;
    await grant(stack, ids.nora, 4);
    await grant(stack, ids.omar, 4);
    const created = await stack.app.inject({
      method: 'POST',
      url: '/api/sessions',
      headers,
      payload: { trainerId: ids.trainer, startsAt: nineInChicago(3).toISOString(), durationMinutes: 60, capacity: 3, repeatWeeks: 3 },
    });
    expect(created.statusCode, created.body).toBe(201);
    series = created.json().series;
    // Nora in every week, Omar in the last two.
    for (const [client, sessions] of [
      [ids.nora, series],
      [ids.omar, series.slice(2)],
    ] as const) {
      for (const session of sessions) {
        const booked = await stack.app.inject({
          method: 'POST',
          url: `/api/sessions/book/${client}`,
          headers,
          payload: { sessionId: session.id },
        });
        expect(booked.statusCode, booked.body).toBe(200);
      }
    }
  }, 240_000);

  afterAll(async () => {
    await ui?.close();
    await stack?.close();
  });

  it('edits the series from its second session in studio time', async () => {
    const { page, failures } = await ui.signedInPage('owner@series.test', PASSWORD);
    try {
      await page.goto(`${ui.base}/admin/#/sessions?session=${series[1]!.id}`);
      const panel = page.getByRole('dialog', { name: 'Session', exact: true });
      await panel.getByRole('button', { name: 'Edit series from here' }).click();
      const edit = page.getByRole('dialog', { name: 'Edit series from here' });
      await edit.getByLabel('Start time').fill('07:30');
      await edit.getByLabel('Trainer').click();
      await page.getByRole('option', { name: 'Ugo Lift' }).click();
      await screenshot(page, 'series-edit');
      await edit.getByRole('button', { name: 'Apply to the series' }).click();
      await edit
        .getByRole('status')
        .getByText(/^3 sessions changed/)
        .waitFor();
      const edited = await edit.getByRole('status').innerText();
      // The studio's wall clock, whatever the browser's zone: 7:30 AM in Chicago.
      expect(edited).toMatch(/now .*7:30 AM with Ugo Lift, 3 places/);
      // Nora in weeks 2–4, Omar in weeks 3–4.
      expect(edited).toContain('5 bookings kept at the new time');
      await screenshot(page, 'series-edit-done');
      await edit.getByRole('button', { name: 'Done' }).click();

      const moved = await query<{ trainerId: number }>(
        stack.orm,
        `select trainer_id as "trainerId" from training_sessions where id = any(?::int[]) order by starts_at`,
        [`{${series.map((session) => session.id).join(',')}}`],
      );
      expect(moved.map((row) => row.trainerId)).toEqual([ids.trainer, ids.other, ids.other, ids.other]);

      expect(failures).toEqual([]);
    } finally {
      await page.close();
    }
  });

  it('cancels the series from its third session, naming who got credits back', async () => {
    const { page, failures } = await ui.signedInPage('owner@series.test', PASSWORD);
    const panel = page.getByRole('dialog', { name: 'Session', exact: true });
    try {
      await page.goto(`${ui.base}/admin/#/sessions?session=${series[2]!.id}`);
      await panel.getByRole('button', { name: 'Cancel series from here' }).click();
      const cancel = page.getByRole('dialog', { name: 'Cancel series from here' });
      await cancel.getByLabel(/^Reason/).fill('Studio closed for renovation');
      await screenshot(page, 'series-cancel');
      await cancel.getByRole('button', { name: 'Cancel the series' }).click();
      const cancelled = cancel.getByRole('status');
      await cancelled.getByText(/^2 sessions cancelled/).waitFor();
      expect(await cancelled.innerText()).toMatch(
        /4 credits went back: (Nora Nash \(2\), Omar Ortiz \(2\)|Omar Ortiz \(2\), Nora Nash \(2\))\./,
      );
      await screenshot(page, 'series-cancel-done');
      // The answer outlived the session turning cancelled behind it; the panel then offers no more changes.
      await cancel.getByRole('button', { name: 'Done' }).click();
      await panel.getByText('Cancelled', { exact: true }).first().waitFor();
      expect(await panel.getByRole('button', { name: 'Cancel series from here' }).count()).toBe(0);
      expect(failures).toEqual([]);
    } finally {
      await page.close();
    }
  });
});
