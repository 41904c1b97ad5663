import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { recordStripeEvent } from '../../model/stripe-events.js';
import type { Orm } from '../../model/orm.js';
import { openTestDatabase } from '../support/database.js';

let orm: Orm;
let url: string;

beforeAll(async () => {
  ({ orm, url } = await openTestDatabase());
});
afterAll(async () => {
  await orm?.close();
});

const event = (eventId: string) => ({
  eventId,
  eventType: 'checkout.session.completed',
  purchaseId: 7,
  signal: 'payment' as const,
  payload: { id: eventId },
});

it('answers the stored row to a delivery that raced the same event in, as Stripe retries do', async () => {
  // The first delivery's insert, held open so the second one waits on it mid-statement.
  const first = new pg.Client({ connectionString: url });
  await first.connect();
  try {
    await first.query('begin');
    await first.query(
      `insert into stripe_events (event_id, event_type, purchase_id, signal, payload) values ($1, 'checkout.session.completed', 7, 'payment', '{}')`,
      ['evt_raced'],
    );
    const second = recordStripeEvent(orm, event('evt_raced'));
    await new Promise((resolve) => setTimeout(resolve, 200));
    await first.query('commit');
    expect(await second).toMatchObject({ eventId: 'evt_raced', purchaseId: 7, signal: 'payment', created: false, relayed: false });
  } finally {
    await first.end();
  }
  expect(await recordStripeEvent(orm, event('evt_new'))).toMatchObject({ eventId: 'evt_new', created: true });
  expect(await recordStripeEvent(orm, event('evt_new'))).toMatchObject({ eventId: 'evt_new', created: false });
});
