import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { OUTBOX_SWEEP_INTERVAL_MS } from '../../worker/outbox-wakeup.js';
import { allocateExpiring, createUser, grant, type TestUser } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { messagesTo } from '../support/mailpit.js';
import { startStack, type TestStack } from '../support/stack.js';

/*
 * The messages a lot's expiry workflow writes (the notice before, the low-balance nudge
 * after) wake the sender like every other outbox write: they arrive in seconds, not at
 * the drainer's next sweep.
 */

let stack: TestStack;
let admin: TestUser;
/** Well inside the sweep: a message that only the sweep would send misses it. */
const PROMPT_MS = 10_000;

beforeAll(async () => {
  stack = await startStack();
  admin = await createUser(stack, 'admin');
});
afterAll(() => stack?.close());

const delivery = (clientId: number, kind: string) =>
  query<{ createdAt: Date; sentAt: Date | null }>(
    stack.orm,
    `select created_at as "createdAt", sent_at as "sentAt" from notifications where user_id = ? and kind = ?`,
    [clientId, kind],
  );

describe('messages of a lot expiry', () => {
  it('the expiry notice and, once the credits expire, the low-balance nudge both arrive in seconds', async () => {
    expect(PROMPT_MS).toBeLessThan(OUTBOX_SWEEP_INTERVAL_MS / 2);
    const client = await createUser(stack, 'client', 'Edda');
    await grant(stack, client.id, 1);
    // 1 + 3 available, above the threshold of 2; the 3 expire in 6 s (the 7-day notice is due at once), leaving 1.
    const expiresAt = new Date(Date.now() + 6_000);
    await allocateExpiring(stack, admin, client.id, 3, expiresAt);

    await eventually(async () => expect((await messagesTo(client.email)).map((message) => message.subject)).toHaveLength(1), PROMPT_MS);
    expect((await messagesTo(client.email))[0]!.subject).toMatch(/^3 credits expire on /);

    await eventually(
      async () => expect((await messagesTo(client.email)).map((message) => message.subject)).toHaveLength(2),
      expiresAt.getTime() - Date.now() + PROMPT_MS,
    );
    expect((await messagesTo(client.email))[1]!.subject).toMatch(/^You have 1 credit left/);
    const [balance] = await query<{ available: number }>(stack.orm, 'select available_sessions as available from users where id = ?', [
      client.id,
    ]);
    expect(balance!.available).toBe(1);

    for (const kind of ['credits.expiring', 'credits.low']) {
      const [row] = await delivery(client.id, kind);
      const seconds = (row!.sentAt!.getTime() - row!.createdAt.getTime()) / 1000;
      console.log(`${kind}: written to the outbox, in Mailpit ${seconds.toFixed(2)} s later`);
      expect(seconds * 1000).toBeLessThan(PROMPT_MS);
    }
    // One nudge per crossing, however often the expiry step runs.
    expect(await delivery(client.id, 'credits.low')).toHaveLength(1);
  });
});
