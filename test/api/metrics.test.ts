import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { startStack, type TestStack } from '../support/stack.js';
import { checkout, completed, createPackage, deliver } from '../support/stripe.js';

/** /metrics in Prometheus text: what happened shows in its counters, and only the right reader sees it. */
let stack: TestStack;
let admin: TestUser;

beforeAll(async () => {
  stack = await startStack();
  admin = await createUser(stack, 'admin');
});
afterAll(() => stack?.close());

async function scrape(target = stack): Promise<string> {
  const response = await target.app.inject({ method: 'GET', url: '/metrics' });
  expect(response.statusCode, response.body).toBe(200);
  expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
  return response.body;
}

/** The value of one sample, by its name and exact label set as Prometheus prints them. */
function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe('/metrics', () => {
  it('counts bookings by outcome and code, webhook events by type, and times requests and commands', async () => {
    const trainer = await createUser(stack, 'trainer');
    const funded = await createUser(stack, 'client');
    await grant(stack, funded.id, 1);
    const broke = await createUser(stack, 'client');
    const session = await createSession(stack, admin, trainer.id, { capacity: 2 });
    const book = (client: TestUser) =>
      stack.app.inject({
        method: 'POST',
        url: `/api/sessions/book/${client.id}`,
        headers: client.headers,
        payload: { sessionId: session.id },
      });
    expect((await book(funded)).statusCode).toBe(200);
    expect((await book(broke)).json()).toMatchObject({ code: 'NO_CREDITS' });
    const packageId = await createPackage(stack.orm, { sessions: 2, priceCents: 2_000 });
    await deliver(stack, completed(await checkout(stack, funded, packageId)));

    const text = await scrape();
    expect(sample(text, 'bookings_total{outcome="booked",code=""}')).toBe(1);
    expect(sample(text, 'bookings_total{outcome="refused",code="NO_CREDITS"}')).toBe(1);
    expect(sample(text, 'stripe_webhook_events_total{type="checkout.session.completed",outcome="recorded"}')).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count{method="POST",route="/api/sessions/book/:userId",status="200"}')).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_count{method="POST",route="/api/sessions/book/:userId",status="400"}')).toBe(1);
    expect(sample(text, 'workflow_command_duration_seconds_count{command="book",outcome="answered"}')).toBe(1);
    expect(sample(text, 'workflow_command_duration_seconds_count{command="book",outcome="refused"}')).toBe(1);
    expect(sample(text, 'workflow_command_duration_seconds_count{command="purchase_event",outcome="answered"}')).toBe(1);
    // No reconciliation has run on this stack: the gauge says so rather than claiming 0 drift.
    expect(sample(text, 'balance_drift')).toBe(-1);
    expect(sample(text, 'outbox_backlog')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'stripe_events_unrelayed')).toBe(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
  });

  it('answers only loopback without METRICS_TOKEN, and only its bearer with one', async () => {
    const remote = await stack.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3' });
    expect(remote.statusCode).toBe(403);
    const forwarded = await stack.app.inject({
      method: 'GET',
      url: '/metrics',
      remoteAddress: '10.1.2.3',
      headers: { 'x-forwarded-for': '127.0.0.1' },
    });
    expect(forwarded.statusCode).toBe(403);

    const guarded = await startStack({ METRICS_TOKEN: 'scrape-secret-0123456789' }, { worker: false });
    try {
      const get = (authorization?: string) =>
        guarded.app.inject({ method: 'GET', url: '/metrics', remoteAddress: '10.1.2.3', headers: authorization ? { authorization } : {} });
      expect((await get()).statusCode).toBe(401);
      expect((await get('Bearer scrape-secret-0123456788')).statusCode).toBe(401);
      expect((await get('Bearer scrape-secret')).statusCode).toBe(401);
      const allowed = await get('Bearer scrape-secret-0123456789');
      expect(allowed.statusCode).toBe(200);
      expect(allowed.body).toContain('# TYPE bookings_total counter');
    } finally {
      await guarded.close();
    }
  });
});
