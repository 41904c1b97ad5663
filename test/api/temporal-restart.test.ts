import { randomBytes } from 'node:crypto';
import type { LightMyRequestResponse as Response } from 'fastify';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { balanceOf, expectLedgerConsistent } from '../support/invariants.js';
import { startPrivateTemporal, type PrivateTemporal } from '../support/private-temporal.js';
import { startStack, type TestStack } from '../support/stack.js';
import { available, checkout, completed, createPackage, deliver, ledgerCount, postEvent, settled, waitFor } from '../support/stripe.js';

/**
 * Issue 14: the Temporal server dies (SIGKILL) with bookings, cancels and allocations in
 * flight and comes back on the same port and history file. Every answer must be the truth
 * (200 or a 4xx refusal) or an honest 503 with Retry-After that a retry with the same
 * Idempotency-Key turns into the truth; never a 500, and the ledger stays balanced.
 * This file runs its own dev server: the run's shared one must stay up for other files.
 */
const ANSWER_BUDGET_MS = 6_000;

let stack: TestStack;
let server: PrivateTemporal;
let admin: TestUser;
let trainer: TestUser;

beforeAll(async () => {
  server = await startPrivateTemporal();
  // A budget shorter than the outage, so some answers are 503 and their retries are put to the test.
  stack = await startStack({ TEMPORAL_ANSWER_BUDGET_MS: String(ANSWER_BUDGET_MS) }, { temporalAddress: server.address });
  admin = await createUser(stack, 'admin');
  trainer = await createUser(stack, 'trainer');
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await server?.close();
});

interface Command {
  kind: 'book' | 'cancel' | 'allocate';
  clientId: number;
  send(): Promise<Response>;
}

function command(kind: Command['kind'], user: TestUser, target: number): Command {
  const key = `${kind}-${randomBytes(6).toString('hex')}`;
  const send = () => {
    switch (kind) {
      case 'book':
        return stack.app.inject({
          method: 'POST',
          url: `/api/sessions/book/${user.id}`,
          headers: { ...user.headers, 'idempotency-key': key },
          payload: { sessionId: target },
        });
      case 'cancel':
        return stack.app.inject({
          method: 'POST',
          url: `/api/sessions/${target}/cancel`,
          headers: { ...user.headers, 'idempotency-key': key },
          payload: {},
        });
      case 'allocate':
        return stack.app.inject({
          method: 'POST',
          url: '/api/sessions/add-to-user',
          headers: { ...admin.headers, 'idempotency-key': key },
          payload: { userId: target, sessions: 2, reason: 'restart test' },
        });
    }
  };
  return { kind, clientId: kind === 'allocate' ? target : user.id, send };
}

function tally(responses: Response[]): Record<number, number> {
  return responses.reduce<Record<number, number>>((counts, r) => ({ ...counts, [r.statusCode]: (counts[r.statusCode] ?? 0) + 1 }), {});
}

function expectHonest(response: Response): void {
  expect(response.statusCode < 500 || response.statusCode === 503, `${response.statusCode} ${response.body}`).toBe(true);
  if (response.statusCode === 503) {
    expect(response.json().code, response.body).toMatch(/_PENDING$/);
    expect(Number(response.headers['retry-after']), 'Retry-After seconds').toBeGreaterThan(0);
  }
}

it(
  'a Temporal server killed mid-rush answers every request truthfully or 503 with Retry-After, and retries converge',
  { timeout: 180_000 },
  async () => {
    const groupSession = await createSession(stack, admin, trainer.id, { capacity: 20 });
    const funded: TestUser[] = [];
    for (let i = 0; i < 18; i += 1) {
      const client = await createUser(stack, 'client');
      await grant(stack, client.id, 1);
      funded.push(client);
    }
    const unfunded = [await createUser(stack, 'client'), await createUser(stack, 'client')];
    // Bookings made before the fault, to be cancelled during it.
    const cancelling: Array<{ client: TestUser; sessionId: number }> = [];
    for (let i = 0; i < 5; i += 1) {
      const client = await createUser(stack, 'client');
      await grant(stack, client.id, 1);
      const session = await createSession(stack, admin, trainer.id);
      const booked = await stack.app.inject({
        method: 'POST',
        url: `/api/sessions/book/${client.id}`,
        headers: client.headers,
        payload: { sessionId: session.id },
      });
      expect(booked.statusCode, booked.body).toBe(200);
      cancelling.push({ client, sessionId: session.id });
    }
    const allocated = [];
    for (let i = 0; i < 5; i += 1) allocated.push(await createUser(stack, 'client'));

    const commands = [
      ...[...funded, ...unfunded].map((client) => command('book', client, groupSession.id)),
      ...cancelling.map(({ client, sessionId }) => command('cancel', client, sessionId)),
      ...allocated.map((client) => command('allocate', admin, client.id)),
    ];
    const started = performance.now();
    const timed = commands.map(async (each) => {
      const response = await each.send();
      return { response, ms: performance.now() - started };
    });
    await new Promise((resolve) => setTimeout(resolve, 200));
    await server.kill();
    await new Promise((resolve) => setTimeout(resolve, 3_000));
    await server.start();
    const first = await Promise.all(timed);
    const slowest = Math.max(...first.map((answer) => answer.ms));
    const responses = first.map((answer) => answer.response);
    const count = (kind: Command['kind']) => commands.filter((each) => each.kind === kind).length;
    console.log(
      `temporal restart: ${commands.length} requests (${count('book')} bookings, ${count('cancel')} cancels, ${count('allocate')} allocations), budget ${ANSWER_BUDGET_MS} ms, first answers ${JSON.stringify(tally(responses))}, slowest ${slowest.toFixed(0)} ms`,
    );
    for (const response of responses) expectHonest(response);

    // Each 503 is retried as its client would, after a pause, with the same Idempotency-Key, until it is the truth.
    const final = [...responses];
    let retries = 0;
    let rounds = 0;
    for (; final.some((response) => response.statusCode === 503); rounds += 1) {
      expect(rounds, 'retry rounds').toBeLessThan(10);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      await Promise.all(
        commands.map(async (each, index) => {
          if (final[index]!.statusCode !== 503) return;
          retries += 1;
          final[index] = await each.send();
          expectHonest(final[index]!);
        }),
      );
    }
    console.log(
      `temporal restart: ${retries} retries after 503 in ${rounds} rounds, final answers ${JSON.stringify(tally(final))}, all true by ${(performance.now() - started).toFixed(0)} ms`,
    );

    for (const [index, each] of commands.entries()) {
      const response = final[index]!;
      const isUnfunded = unfunded.some((client) => client.id === each.clientId);
      if (each.kind === 'book' && isUnfunded) {
        expect(response.statusCode, response.body).toBe(400);
        expect(response.json().code).toBe('NO_CREDITS');
      } else {
        expect(response.statusCode, `${each.kind} for ${each.clientId}: ${response.body}`).toBe(200);
      }
      // The same request once more answers the same, never a 409 for its own booking.
      const again = await each.send();
      expect(again.statusCode, again.body).toBe(response.statusCode);
      if (each.kind === 'book' && response.statusCode === 200) expect(again.json().booking.id).toBe(response.json().booking.id);
    }

    for (const client of funded) expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 0, held: 1 });
    for (const client of unfunded) expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 0, held: 0 });
    for (const { client } of cancelling) expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 1, held: 0 });
    for (const client of allocated) {
      expect(await balanceOf(stack.orm, client.id)).toEqual({ available: 2, held: 0 });
      expect(await query(stack.orm, `select id from ledger_entries where client_id = ? and kind = 'grant'`, [client.id])).toHaveLength(1);
    }
    const [seats] = await query<{ booked: number }>(stack.orm, `select booked_count as booked from training_sessions where id = ?`, [
      groupSession.id,
    ]);
    expect(seats!.booked).toBe(18);
    await expectLedgerConsistent(stack.orm);
  },
);

it(
  'a Stripe webhook while Temporal is down is stored and answered 200; its relay credits it once, after the restart',
  { timeout: 120_000 },
  async () => {
    const packageId = await createPackage(stack.orm, { sessions: 5, priceCents: 35_000 });
    const client = await createUser(stack, 'client');
    const purchase = await checkout(stack, client, packageId);
    const event = completed(purchase);

    await server.kill();
    try {
      const startedDown = performance.now();
      const down = await postEvent(stack, event);
      const downMs = performance.now() - startedDown;
      const again = await postEvent(stack, event); // Stripe redelivers when it is unsure
      console.log(`webhook while Temporal is down: ${down.statusCode} in ${downMs.toFixed(0)} ms, redelivery ${again.statusCode}`);
      expect(down.statusCode, down.body).toBe(200);
      expect(down.json()).toEqual({ received: true });
      expect(again.statusCode, again.body).toBe(200);
      const stored = await query<{ relayedAt: Date | null }>(
        stack.orm,
        `select relayed_at as "relayedAt" from stripe_events where event_id = ?`,
        [event.id],
      );
      expect(stored, 'one stored row for the event, however often it came').toHaveLength(1);
      // The relay keeps trying while Temporal is away; nothing reaches the books yet.
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect((await query(stack.orm, `select id from stripe_events where event_id = ? and relayed_at is null`, [event.id])).length).toBe(1);
      expect(await available(stack.orm, client.id)).toBe(0);
    } finally {
      await server.start();
    }

    expect(
      await waitFor(
        () => available(stack.orm, client.id),
        (credits) => credits === 5,
        30_000,
      ),
    ).toBe(5);
    await deliver(stack, event);
    await settled(stack, purchase.id);
    expect(await ledgerCount(stack.orm, `purchase_id = ? and kind = 'grant'`, [purchase.id])).toBe(1);
    await expectLedgerConsistent(stack.orm);
  },
);
