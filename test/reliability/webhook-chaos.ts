import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';
import { run } from '../../bench/stats.js';
import { query } from '../../model/transaction.js';
import { createAccounts, createPackage, openPurchase } from './fixtures.js';
import { call, outcomeOf, type Answer } from './http.js';
import { invariant, latencies, ledgerChecks, tally, type ScenarioReport } from './report.js';
import type { ReliabilitySystem } from './system.js';

export interface WebhookChaosSize {
  payments: number;
  /** Each genuine event is delivered this many times (Stripe's at-least-once, exaggerated). */
  deliveries: number;
  /** Forged deliveries, as a share of all deliveries. */
  forgedShare: number;
  concurrency: number;
  /** How long after the last delivery every payment must be credited. */
  settleTimeoutMs: number;
}

const SESSIONS_PER_PACKAGE = 5;

function shuffle<T>(items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i -= 1) {
    const j = Math.floor(Math.random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

function event(type: string, purchase: { id: number; checkoutSessionId: string }, paymentStatus: 'paid' | 'unpaid', amount: number) {
  return {
    id: `evt_rel_${randomBytes(10).toString('hex')}`,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: {
      object: {
        id: purchase.checkoutSessionId,
        object: 'checkout.session',
        mode: 'payment',
        status: 'complete',
        payment_status: paymentStatus,
        client_reference_id: String(purchase.id),
        metadata: { purchaseId: String(purchase.id) },
        amount_total: amount,
        currency: 'usd',
        payment_intent: `pi_rel_${purchase.id}`,
      },
    },
  };
}

type Delivery = { body: string; signature: string; forged: false } | { body: string; signature: string; forged: true; how: string };

/** Three ways to forge: another secret, a body edited after signing, a signature from outside the tolerance window. */
function forge(body: string, secret: string, index: number): Delivery {
  switch (index % 3) {
    case 0:
      return {
        body,
        signature: Stripe.webhooks.generateTestHeaderString({ payload: body, secret: `${secret}-not` }),
        forged: true,
        how: 'wrong secret',
      };
    case 1: {
      const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
      return {
        body: body.replace('"payment_status":"unpaid"', '"payment_status":"paid"').replace(/}$/, ' }'),
        signature,
        forged: true,
        how: 'tampered body',
      };
    }
    default:
      return {
        body,
        signature: Stripe.webhooks.generateTestHeaderString({ payload: body, secret, timestamp: Math.floor(Date.now() / 1000) - 3_600 }),
        forged: true,
        how: 'replayed (an hour old)',
      };
  }
}

/**
 * Webhook chaos: `payments` purchases paid through signed Stripe events posted to the real
 * endpoint, each genuine event delivered `deliveries` times and the whole lot shuffled
 * (so an async payment's success may come before its checkout), with forgeries mixed in
 * that claim purchases nobody paid. Every payment must be credited exactly once, every
 * forgery refused 400, every stored event relayed, and the books balanced.
 */
export async function webhookChaos(system: ReliabilitySystem, size: WebhookChaosSize): Promise<ScenarioReport> {
  const { orm } = system;
  const secret = system.settings.stripe.webhookSecret;
  // Two purchases per client: a client's grants queue on that client's row lock, which is not what this measures.
  const clients = await createAccounts(orm, 'client', Math.max(1, Math.ceil(size.payments / 2)));
  const pkg = await createPackage(orm, SESSIONS_PER_PACKAGE, 35_000);
  const paid: Array<{ id: number; clientId: number }> = [];
  const deliveries: Delivery[] = [];
  const sign = (body: string) => Stripe.webhooks.generateTestHeaderString({ payload: body, secret });
  for (let index = 0; index < size.payments; index += 1) {
    const clientId = clients[index % clients.length]!;
    const purchase = await openPurchase(orm, clientId, pkg);
    paid.push({ id: purchase.id, clientId });
    // Half pay by card (paid at checkout), half by a bank debit that settles later.
    const events =
      index % 2 === 0
        ? [event('checkout.session.completed', purchase, 'paid', pkg.priceCents)]
        : [
            event('checkout.session.completed', purchase, 'unpaid', pkg.priceCents),
            event('checkout.session.async_payment_succeeded', purchase, 'paid', pkg.priceCents),
          ];
    for (const each of events) {
      const body = JSON.stringify(each);
      for (let copy = 0; copy < size.deliveries; copy += 1) deliveries.push({ body, signature: sign(body), forged: false });
    }
  }
  // Forgeries claim purchases that were opened and never paid: they must stay unpaid.
  const forgedCount = Math.round((deliveries.length * size.forgedShare) / (1 - size.forgedShare));
  const unpaid: Array<{ id: number; clientId: number }> = [];
  for (let index = 0; index < forgedCount; index += 1) {
    const clientId = clients[index % clients.length]!;
    const purchase = await openPurchase(orm, clientId, pkg);
    unpaid.push({ id: purchase.id, clientId });
    deliveries.push(forge(JSON.stringify(event('checkout.session.completed', purchase, 'unpaid', pkg.priceCents)), secret, index));
  }
  shuffle(deliveries);

  const outcomes: Record<string, number> = {};
  const genuineRefused: Array<{ outcome: string; body: unknown }> = [];
  const forgeryAccepted: Array<{ how: string; outcome: string }> = [];
  const acks: number[] = [];
  const started = performance.now();
  await run(deliveries.length, size.concurrency, async (index) => {
    const delivery = deliveries[index]!;
    const answer: Answer = await call(system.api, 'POST', '/api/webhooks/stripe', {
      raw: delivery.body,
      headers: { 'content-type': 'application/json', 'stripe-signature': delivery.signature },
    });
    const outcome = `${delivery.forged ? 'forged' : 'genuine'} ${outcomeOf(answer)}`;
    tally(outcomes, outcome);
    if (delivery.forged && !(answer.status === 400 && answer.body.code === 'INVALID_SIGNATURE')) {
      forgeryAccepted.push({ how: delivery.how, outcome });
    }
    if (!delivery.forged) {
      acks.push(answer.ms);
      if (answer.status !== 200) genuineRefused.push({ outcome, body: answer.body });
    }
  });
  const deliveredSeconds = (performance.now() - started) / 1000;

  // Nothing lost: every payment credited, however long the relay and the workflows take.
  const paidIds = paid.map((purchase) => purchase.id);
  const grantsOf = async (ids: number[]) =>
    query<{ purchaseId: number; grants: number }>(
      orm,
      `select p.id as "purchaseId", count(l.id)::int as grants from purchases p
         left join ledger_entries l on l.purchase_id = p.id and l.kind = 'grant' where p.id in (?) group by p.id`,
      [ids],
    );
  // Marked paid too: the purchase's row is saved by the workflow after its grant, a workflow task later.
  const markedPaid = async () =>
    (await query<{ paid: number }>(orm, `select count(*)::int as paid from purchases where id in (?) and status = 'paid'`, [paidIds]))[0]!
      .paid;
  const deadline = Date.now() + size.settleTimeoutMs;
  let credited = 0;
  while (Date.now() < deadline) {
    credited = (await grantsOf(paidIds)).filter((row) => row.grants > 0).length;
    if (credited === paidIds.length && (await markedPaid()) === paidIds.length) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const allCreditedSeconds = (performance.now() - started) / 1000;
  // A moment for any late duplicate to do its damage, if it could.
  await new Promise((resolve) => setTimeout(resolve, 1_000));

  const paidGrants = await grantsOf(paidIds);
  const unpaidGrants = unpaid.length > 0 ? await grantsOf(unpaid.map((purchase) => purchase.id)) : [];
  const statuses = await query<{ id: number; status: string }>(orm, `select id, status from purchases where id in (?)`, [
    [...paidIds, ...unpaid.map((purchase) => purchase.id)],
  ]);
  const statusOf = new Map(statuses.map((row) => [row.id, row.status]));
  const expectedBalance = new Map<number, number>();
  for (const purchase of paid) expectedBalance.set(purchase.clientId, (expectedBalance.get(purchase.clientId) ?? 0) + SESSIONS_PER_PACKAGE);
  const balances = await query<{ id: number; available: number }>(
    orm,
    `select id, available_sessions as available from users where id in (?)`,
    [clients],
  );
  const [relay] = await query<{ stored: number; unrelayed: number }>(
    orm,
    `select count(*)::int as stored, count(*) filter (where relayed_at is null)::int as unrelayed from stripe_events where purchase_id in (?)`,
    [[...paidIds, ...unpaid.map((purchase) => purchase.id)]],
  );
  const genuine = deliveries.filter((delivery) => !delivery.forged).length;
  return {
    name: 'webhook chaos',
    attempts: deliveries.length,
    outcomes,
    seconds: (performance.now() - started) / 1000,
    figures: {
      payments: `${size.payments} (half by card, half by a bank debit settling later), ${genuine} genuine deliveries (each event ${size.deliveries}×, shuffled), ${deliveries.length - genuine} forged`,
      'delivered in': `${deliveredSeconds.toFixed(1)} s at ${size.concurrency} in flight (${(deliveries.length / deliveredSeconds).toFixed(0)} deliveries/s)`,
      'genuine ack': latencies(acks),
      'every payment credited and marked paid after': `${allCreditedSeconds.toFixed(1)} s (${credited} of ${paidIds.length})`,
      'stored events': `${relay!.stored}, ${relay!.unrelayed} not relayed`,
    },
    checks: [
      invariant('genuine deliveries answered 200', genuineRefused),
      invariant('forgeries answered 400 INVALID_SIGNATURE', forgeryAccepted),
      invariant(
        'paid purchases credited exactly once',
        paidGrants.filter((row) => row.grants !== 1),
      ),
      invariant(
        'paid purchases marked paid',
        paidIds.filter((id) => statusOf.get(id) !== 'paid').map((id) => ({ id, status: statusOf.get(id) })),
      ),
      invariant(
        'forged-only purchases credited nothing and still pending',
        unpaid
          .filter(
            (purchase) =>
              statusOf.get(purchase.id) !== 'pending' || unpaidGrants.some((row) => row.purchaseId === purchase.id && row.grants > 0),
          )
          .map((purchase) => ({ id: purchase.id, status: statusOf.get(purchase.id) })),
      ),
      invariant(
        "clients' balances = 5 × their paid purchases",
        balances
          .filter((row) => row.available !== (expectedBalance.get(row.id) ?? 0))
          .map((row) => ({ ...row, expected: expectedBalance.get(row.id) ?? 0 })),
      ),
      invariant('stored events not relayed', relay!.unrelayed > 0 ? [{ unrelayed: relay!.unrelayed }] : []),
      ...(await ledgerChecks(orm)),
    ],
  };
}
