import { describe, expect, it } from 'vitest';
import type { PurchaseRecord } from '../../model/purchases.js';
import type { CheckoutEvent, DisputeEvent, RefundEvent } from '../../workflows/definitions.js';
import { PurchaseBooks, RefundRefused, type LedgerStep } from '../../workflows/purchase-books.js';

/*
 * The purchase's rules as tables: events in, ledger steps and figures out. The little
 * ledger below only counts the purchase's unused credits, so a revoke can report what it
 * could not take (already used), as the real ledger does.
 */

const NOW = Date.parse('2027-03-01T10:00:00Z');
const created = NOW / 1000 - 60;

function record(overrides: Partial<PurchaseRecord> = {}): PurchaseRecord {
  return {
    purchaseId: 7,
    clientId: 3,
    packageName: 'Ten',
    sessions: 10,
    amountCents: 70_000,
    currency: 'usd',
    validityDays: null,
    checkoutSessionId: 'cs_1',
    paymentIntentId: null,
    status: 'pending',
    paidAt: null,
    refundedCents: 0,
    refundedSessions: 0,
    sessionsOwed: 0,
    disputeStatus: null,
    disputeHeld: 0,
    disputeShortfall: 0,
    granted: false,
    disputeHoldTaken: false,
    lotExpiresAt: null,
    ...overrides,
  };
}

const paid = (kind: CheckoutEvent['kind'] = 'completed', paymentStatus = 'paid'): CheckoutEvent => ({
  eventId: `e-${kind}-${paymentStatus}`,
  created,
  kind,
  checkoutSessionId: 'cs_1',
  paymentIntentId: 'pi_1',
  paymentStatus,
});
/** A charge.refunded event: the charge's cumulative refunded amount and its refunds so far (one by default). */
const refunded = (amountRefunded: number, refunds: Array<[string, number]> = [['re_1', amountRefunded]]): RefundEvent => ({
  eventId: `r-${amountRefunded}-${refunds.length}`,
  created,
  paymentIntentId: 'pi_1',
  amountRefunded,
  refunds: refunds.map(([id, amount]) => ({ id, amount, status: 'succeeded' })),
});
const dispute = (status: string): DisputeEvent => ({ eventId: `d-${status}`, created, disputeId: 'dp_1', status, paymentIntentId: 'pi_1' });

type Event = { payment: CheckoutEvent } | { refund: RefundEvent } | { dispute: DisputeEvent } | { use: number };

/** Applies events as the workflow does, returning the ledger steps in order ("grant 10", "revoke 3 (owed 1)"). */
function play(books: PurchaseBooks, events: Event[], options: { now?: number } = {}): string[] {
  const steps: string[] = [];
  let unused = 0;
  const carryOut = (step: LedgerStep) => {
    if (step.kind === 'grant' || step.kind === 'restore') {
      unused += step.quantity;
      steps.push(`${step.kind} ${step.quantity}`);
      return undefined;
    }
    const taken = Math.min(step.quantity, unused);
    unused -= taken;
    steps.push(`revoke ${step.quantity} for ${step.key}${taken < step.quantity ? ` (${step.quantity - taken} used)` : ''}`);
    return { taken, shortfall: step.quantity - taken };
  };
  for (const event of events) {
    if ('use' in event) {
      unused -= event.use;
      continue;
    }
    if ('payment' in event) books.recordPayment(event.payment);
    else if ('refund' in event) books.recordRefund(event.refund);
    else books.recordDispute(event.dispute);
    for (let step = books.nextStep(options.now ?? NOW); step; step = books.nextStep(options.now ?? NOW))
      books.completed(step, carryOut(step));
  }
  return steps;
}

const figures = (books: PurchaseBooks) => {
  const { status, refundedSessions, sessionsOwed, disputeStatus, disputeHeld } = books.view(0);
  return { status, refundedSessions, sessionsOwed, disputeStatus, disputeHeld };
};

describe('purchase books: payment', () => {
  it.each([
    {
      name: 'a card payment grants once, however often it is told',
      events: [{ payment: paid() }, { payment: paid() }, { payment: paid('async_payment_succeeded') }],
      steps: ['grant 10'],
      status: 'paid',
    },
    {
      name: 'an async method waits, then grants when it succeeds',
      events: [{ payment: paid('completed', 'unpaid') }, { payment: paid('async_payment_succeeded') }],
      steps: ['grant 10'],
      status: 'paid',
    },
    {
      name: 'an async method that fails grants nothing',
      events: [{ payment: paid('completed', 'unpaid') }, { payment: paid('async_payment_failed') }],
      steps: [],
      status: 'failed',
    },
    { name: 'an expired checkout grants nothing', events: [{ payment: paid('expired', 'unpaid') }], steps: [], status: 'expired' },
    {
      name: 'a late failure after the money arrived changes nothing',
      events: [{ payment: paid() }, { payment: paid('async_payment_failed') }],
      steps: ['grant 10'],
      status: 'paid',
    },
  ] satisfies Array<{ name: string; events: Event[]; steps: string[]; status: string }>)('$name', ({ events, steps, status }) => {
    const books = new PurchaseBooks(record(), NOW);
    expect(play(books, events)).toEqual(steps);
    expect(books.status()).toBe(status);
  });

  it("ignores another Checkout Session's events", () => {
    const books = new PurchaseBooks(record(), NOW);
    expect(books.recordPayment({ ...paid(), checkoutSessionId: 'cs_other' })).toBe(false);
    expect(books.nextStep(NOW)).toBeUndefined();
  });

  it('dates the lot from the payment, or from now when the webhook is very late', () => {
    const onTime = new PurchaseBooks(record({ validityDays: 30 }), NOW);
    onTime.recordPayment(paid());
    expect(onTime.nextStep(NOW)).toMatchObject({ kind: 'grant', expiresAt: new Date(created * 1000 + 30 * 86_400_000).toISOString() });
    const late = new PurchaseBooks(record({ validityDays: 30 }), NOW);
    late.recordPayment({ ...paid(), created: created - 40 * 86_400 });
    expect(late.nextStep(NOW)).toMatchObject({ kind: 'grant', expiresAt: new Date(NOW + 30 * 86_400_000).toISOString() });
  });
});

describe('purchase books: refunds take back floor(refunded / price × sessions), cumulatively', () => {
  it.each([
    {
      name: '30 % refunded takes 3 of 10',
      events: [{ payment: paid() }, { refund: refunded(21_000) }],
      steps: ['grant 10', 'revoke 3 for refund'],
      figures: { status: 'partially_refunded', refundedSessions: 3, sessionsOwed: 0 },
    },
    {
      name: 'a repeat or a stale event takes nothing more',
      events: [
        { payment: paid() },
        { refund: refunded(7_000, [['re_a', 7_000]]) },
        {
          refund: refunded(21_000, [
            ['re_a', 7_000],
            ['re_b', 14_000],
          ]),
        },
        { refund: refunded(7_000, [['re_a', 7_000]]) },
        {
          refund: refunded(21_000, [
            ['re_a', 7_000],
            ['re_b', 14_000],
          ]),
        },
      ],
      steps: ['grant 10', 'revoke 1 for refund', 'revoke 2 for refund'],
      figures: { refundedSessions: 3 },
    },
    {
      name: 'a second refund takes only the difference',
      events: [
        { payment: paid() },
        { refund: refunded(21_000, [['re_a', 21_000]]) },
        {
          refund: refunded(42_000, [
            ['re_a', 21_000],
            ['re_b', 21_000],
          ]),
        },
      ],
      steps: ['grant 10', 'revoke 3 for refund', 'revoke 3 for refund'],
      figures: { refundedSessions: 6 },
    },
    {
      name: 'used credits are owed, never driven below zero',
      events: [{ payment: paid() }, { use: 8 }, { refund: refunded(70_000) }],
      steps: ['grant 10', 'revoke 10 for refund (8 used)'],
      figures: { status: 'refunded', refundedSessions: 10, sessionsOwed: 8 },
    },
    {
      name: 'a refund before the payment waits for the grant',
      events: [{ refund: refunded(35_000) }, { payment: paid() }],
      steps: ['grant 10', 'revoke 5 for refund'],
      figures: { refundedSessions: 5 },
    },
  ] satisfies Array<{ name: string; events: Event[]; steps: string[]; figures: object }>)(
    '$name',
    ({ events, steps, figures: expected }) => {
      const books = new PurchaseBooks(record(), NOW);
      expect(play(books, events)).toEqual(steps);
      expect(figures(books)).toMatchObject(expected);
    },
  );
});

describe('purchase books: disputes hold, then restore or keep', () => {
  it.each([
    {
      name: 'an open dispute holds what remains',
      events: [{ payment: paid() }, { use: 2 }, { dispute: dispute('needs_response') }],
      steps: ['grant 10', 'revoke 10 for disputeHold (2 used)'],
      figures: { status: 'disputed', disputeHeld: 8, sessionsOwed: 0 },
    },
    {
      name: 'won gives the held credits back',
      events: [{ payment: paid() }, { dispute: dispute('needs_response') }, { dispute: dispute('won') }],
      steps: ['grant 10', 'revoke 10 for disputeHold', 'restore 10'],
      figures: { status: 'paid', disputeStatus: 'won', disputeHeld: 0 },
    },
    {
      name: 'lost keeps them and owes the used ones',
      events: [{ payment: paid() }, { use: 3 }, { dispute: dispute('needs_response') }, { dispute: dispute('lost') }],
      steps: ['grant 10', 'revoke 10 for disputeHold (3 used)'],
      figures: { status: 'disputed', disputeStatus: 'lost', sessionsOwed: 3 },
    },
    {
      name: 'a decided dispute ignores later events',
      events: [{ payment: paid() }, { dispute: dispute('lost') }, { dispute: dispute('won') }],
      steps: ['grant 10', 'revoke 10 for disputeHold'],
      figures: { disputeStatus: 'lost' },
    },
    {
      name: 'a refund during a dispute is paid out of the held credits',
      events: [{ payment: paid() }, { dispute: dispute('needs_response') }, { refund: refunded(35_000) }],
      steps: ['grant 10', 'revoke 10 for disputeHold'],
      figures: { refundedSessions: 5, disputeHeld: 5 },
    },
    {
      name: 'an inquiry closed without a chargeback counts as won',
      events: [{ payment: paid() }, { dispute: dispute('warning_needs_response') }, { dispute: dispute('warning_closed') }],
      steps: ['grant 10', 'revoke 10 for disputeHold', 'restore 10'],
      figures: { disputeStatus: 'won' },
    },
  ] satisfies Array<{ name: string; events: Event[]; steps: string[]; figures: object }>)(
    '$name',
    ({ events, steps, figures: expected }) => {
      const books = new PurchaseBooks(record(), NOW);
      expect(play(books, events)).toEqual(steps);
      expect(figures(books)).toMatchObject(expected);
    },
  );

  it('a dispute won after the credits expired restores nothing', () => {
    const books = new PurchaseBooks(record({ validityDays: 1 }), NOW);
    play(books, [{ payment: paid() }, { dispute: dispute('needs_response') }]);
    expect(play(books, [{ dispute: dispute('won') }], { now: NOW + 3 * 86_400_000 })).toEqual([]);
    expect(figures(books)).toMatchObject({ disputeStatus: 'won', disputeHeld: 0 });
  });
});

describe('purchase books: what an admin may still refund', () => {
  const paidBooks = () => {
    const books = new PurchaseBooks(record(), NOW);
    play(books, [{ payment: paid() }]);
    return books;
  };
  const refusal = (run: () => unknown) => {
    try {
      run();
    } catch (error) {
      return error instanceof RefundRefused ? error.code : 'not a refusal';
    }
    return 'accepted';
  };

  it.each([
    { name: 'everything still refundable', request: {}, cents: 70_000 },
    { name: 'by sessions: the least amount that takes back exactly that many', request: { sessions: 2 }, cents: 14_000 },
    { name: 'by amount', request: { amountCents: 5_000 }, cents: 5_000 },
  ])('$name', ({ request, cents }) => {
    expect(paidBooks().planRefund(request)).toBe(cents);
  });

  it('counts refunds already asked of Stripe, and refuses what cannot be', () => {
    const books = paidBooks();
    books.reserve(63_000);
    expect(books.planRefund({})).toBe(7_000);
    expect(refusal(() => books.planRefund({ sessions: 2 }))).toBe('INVALID_REQUEST');
    books.release(63_000);
    expect(refusal(() => books.planRefund({ sessions: 1, amountCents: 100 }))).toBe('INVALID_REQUEST');
    expect(refusal(() => books.planRefund({ amountCents: 70_001 }))).toBe('INVALID_REQUEST');
    expect(refusal(() => new PurchaseBooks(record(), NOW).planRefund({}))).toBe('CONFLICT');
    const disputed = paidBooks();
    play(disputed, [{ dispute: dispute('needs_response') }]);
    expect(refusal(() => disputed.planRefund({}))).toBe('CONFLICT');
    const done = paidBooks();
    play(done, [{ refund: refunded(70_000) }]);
    expect(refusal(() => done.planRefund({}))).toBe('CONFLICT');
  });
});

describe('purchase books: how long the workflow stays open', () => {
  const windows = { refundWindowMs: 1_000, paymentWaitMs: 500 };
  it('refund window after payment, payment wait before, none after a failure', () => {
    const waiting = new PurchaseBooks(record(), NOW);
    expect(waiting.deadline(NOW, windows)).toBe(NOW + 500);
    play(waiting, [{ payment: paid() }]);
    expect(waiting.deadline(NOW, windows)).toBe(created * 1000 + 1_000);
    const failed = new PurchaseBooks(record({ status: 'failed' }), NOW);
    expect(failed.deadline(NOW, windows)).toBe(0);
    const givenUp = new PurchaseBooks(record(), NOW);
    givenUp.giveUpWaiting();
    expect(givenUp.status()).toBe('expired');
  });

  it('resumes a paid purchase from its row', () => {
    const books = new PurchaseBooks(
      record({
        granted: true,
        status: 'partially_refunded',
        paidAt: '2027-02-01T00:00:00.000Z',
        refundedCents: 21_000,
        refundedSessions: 3,
      }),
      NOW,
    );
    expect(play(books, [{ payment: paid() }, { refund: refunded(21_000) }])).toEqual([]);
    expect(figures(books)).toMatchObject({ status: 'partially_refunded', refundedSessions: 3 });
  });
});
