import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { messagesTo } from '../support/mailpit.js';
import { startStack, type TestStack } from '../support/stack.js';

let stack: TestStack;
let admin: TestUser;
let trainer: TestUser;
const HOUR = 3_600_000;

beforeAll(async () => {
  stack = await startStack({ STUDIO_NAME: 'Harbour Strength', STUDIO_TIME_ZONE: 'Asia/Tokyo', POLICY_REMINDER_BEFORE_MINUTES: '0.05' });
  admin = await createUser(stack, 'admin');
  trainer = await createUser(stack, 'trainer', 'Tess');
});
afterAll(() => stack?.close());

/** 01:00 UTC is 10:00 in Tokyo (UTC+9, no daylight saving): a time only the studio's zone turns into 10:00. */
function at0100Utc(daysAhead: number): Date {
  const day = new Date(Date.now() + daysAhead * 24 * HOUR);
  return new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth(), day.getUTCDate(), 1, 0));
}

async function book(client: TestUser, sessionId: number) {
  const response = await stack.app.inject({
    method: 'POST',
    url: `/api/sessions/book/${client.id}`,
    headers: client.headers,
    payload: { sessionId },
  });
  expect(response.statusCode, response.body).toBe(200);
}

async function outbox(clientId: number) {
  return query<{ kind: string; state: string; attempts: number }>(
    stack.orm,
    `select kind, state, attempts from notifications where user_id = ? order by id`,
    [clientId],
  );
}

describe('booking messages', () => {
  it('a booking arrives once, with the studio name and the time in the studio zone', async () => {
    const client = await createUser(stack, 'client', 'Cleo');
    await grant(stack, client.id, 5);
    const startsAt = at0100Utc(3);
    const session = await createSession(stack, admin, trainer.id, { startsAt });
    await book(client, session.id);
    await eventually(async () => expect(await messagesTo(client.email)).toHaveLength(1));
    const [message] = await messagesTo(client.email);
    expect(message!.subject).toMatch(/^Booked: \w+, \d+ \w+ \d{4} at 10:00 \(Asia\/Tokyo\) · Harbour Strength$/);
    expect(message!.text).toContain('Hi Cleo,');
    expect(message!.text).toContain('Tess Test');
    expect(message!.html).toContain('<h2 style="margin: 0 0 1em">Harbour Strength</h2>');
    expect(await outbox(client.id)).toEqual([{ kind: 'booking.booked', state: 'sent', attempts: 1 }]);
  });
});
