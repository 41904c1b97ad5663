import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { csvCell } from '../../api/csv.js';
import { query } from '../../model/transaction.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { parseCsv } from '../support/csv.js';
import { startStack, type TestStack } from '../support/stack.js';

/** The console's CSV exports: the list's own filters, every matching row once, cells a spreadsheet cannot run. */
let stack: TestStack;
let admin: TestUser;

beforeAll(async () => {
  stack = await startStack();
  admin = await createUser(stack, 'admin');
});
afterAll(() => stack?.close());

async function exportCsv(resource: string, filter: object, by: TestUser = admin) {
  return stack.app.inject({
    method: 'GET',
    url: `/api/admin/${resource}.csv?filter=${encodeURIComponent(JSON.stringify(filter))}`,
    headers: by.headers,
  });
}

describe('CSV exports', () => {
  it("exports a client's ledger with the list's filters, every row once in id order, across many batches", async () => {
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 1);
    // 2,500 more entries written straight into the ledger (its trigger allows appends), so the export crosses batch boundaries.
    await query(
      stack.orm,
      `insert into ledger_entries (client_id, kind, delta, held_delta, balance_after, held_after, actor, reason, idempotency_key)
       select ?, 'adjust', 1, 0, 1 + g, 0, 'system', 'bulk', 'export-test:' || ? || ':' || g from generate_series(1, 2500) g`,
      [client.id, client.id],
    );
    await query(stack.orm, `update users set available_sessions = 2501 where id = ?`, [client.id]);
    await query(stack.orm, `update credit_lots set quantity = 2501, remaining = 2501 where client_id = ?`, [client.id]);

    const response = await exportCsv('ledger', { clientId: client.id });
    expect(response.statusCode, response.body.slice(0, 300)).toBe(200);
    expect(response.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(response.headers['content-disposition']).toMatch(/^attachment; filename="ledger-\d{4}-\d{2}-\d{2}\.csv"$/);
    const [header, ...rows] = parseCsv(response.body);
    expect(header).toEqual([
      'id',
      'createdAt',
      'clientId',
      'kind',
      'delta',
      'heldDelta',
      'balanceAfter',
      'heldAfter',
      'lotId',
      'sessionId',
      'bookingId',
      'purchaseId',
      'actor',
      'reason',
      'idempotencyKey',
      'workflowId',
      'runId',
    ]);
    expect(rows).toHaveLength(2501);
    const ids = rows.map((row) => Number(row[0]));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(2501);
    expect(rows.every((row) => row[2] === String(client.id))).toBe(true);
    expect(rows.at(-1)![6]).toBe('2501');

    const adjustsOnly = parseCsv((await exportCsv('ledger', { clientId: client.id, kind: ['grant'] })).body);
    expect(adjustsOnly).toHaveLength(2);
    expect(adjustsOnly[1]![3]).toBe('grant');
  });

  it('writes free text so a spreadsheet shows it and never runs it', async () => {
    expect(csvCell('=HYPERLINK("http://evil.test","click")')).toBe(`"'=HYPERLINK(""http://evil.test"",""click"")"`);
    expect(csvCell('+1 sessions')).toBe(`'+1 sessions`);
    expect(csvCell('-2')).toBe(`'-2`);
    expect(csvCell('@SUM(A1)')).toBe(`'@SUM(A1)`);
    expect(csvCell('Rest, then "light"\nwork')).toBe(`"Rest, then ""light""\nwork"`);
    expect(csvCell(-2)).toBe('-2');
    expect(csvCell(null)).toBe('');
    expect(csvCell(new Date('2026-12-01T09:30:00Z'))).toBe('2026-12-01T09:30:00.000Z');

    const client = await createUser(stack, 'client');
    const allocated = await stack.app.inject({
      method: 'POST',
      url: '/api/sessions/add-to-user',
      headers: admin.headers,
      payload: { userId: client.id, sessions: 2, reason: '=cmd|" /C calc"!A0' },
    });
    expect(allocated.statusCode, allocated.body).toBe(200);
    const [, row] = parseCsv((await exportCsv('ledger', { clientId: client.id })).body);
    expect(row![13]).toBe(`'=cmd|" /C calc"!A0`);
  });

  it("exports bookings and purchases; a trainer's bookings export holds only their own sessions", async () => {
    const trainer = await createUser(stack, 'trainer');
    const other = await createUser(stack, 'trainer');
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 2);
    for (const [who, by] of [
      [trainer, admin],
      [other, admin],
    ] as const) {
      const session = await createSession(stack, by, who.id);
      const booked = await stack.app.inject({
        method: 'POST',
        url: `/api/sessions/book/${client.id}`,
        headers: client.headers,
        payload: { sessionId: session.id },
      });
      expect(booked.statusCode, booked.body).toBe(200);
    }
    const mine = parseCsv((await exportCsv('bookings', { clientId: client.id }, trainer)).body);
    expect(mine[0]).toContain('clientName');
    expect(mine.slice(1).map((row) => row[4])).toEqual([String(trainer.id)]);
    const all = parseCsv((await exportCsv('bookings', { clientId: client.id })).body);
    expect(all).toHaveLength(3);
    const purchases = parseCsv((await exportCsv('purchases', { clientId: client.id })).body);
    expect(purchases).toEqual([expect.arrayContaining(['amountCents', 'stripePaymentIntentId'])]);
  });

  it('refuses a filter it cannot read with a 400 and exports nothing', async () => {
    const broken = await stack.app.inject({ method: 'GET', url: '/api/admin/ledger.csv?filter={oops', headers: admin.headers });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ code: 'INVALID_FILTER' });
    const unknown = await exportCsv('ledger', { color: 'red' });
    expect(unknown.statusCode).toBe(400);
  });
});
