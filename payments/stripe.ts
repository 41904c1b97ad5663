import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import Stripe from 'stripe';
import type { Settings } from '../config/settings.js';

/**
 * How the studio talks to Stripe. With STRIPE_SECRET_KEY (or STRIPE_API_BASE_URL, which
 * points the SDK at stripe-mock in tests) calls go through the official SDK. Without
 * either, the simulator stands in for Stripe: it builds correctly shaped events and posts
 * them, signed with the webhook secret, to our own webhook endpoint, so the real
 * verification and workflow path runs; only the card network is missing.
 */

/** stripe-mock accepts any key of the right shape (sk_test_ and letters or digits). */
const STRIPE_MOCK_KEY = 'sk_test_stripemock';

export function usesStripeSimulator(settings: Settings): boolean {
  return !settings.stripe.secretKey && !settings.stripe.apiBaseUrl;
}

export function createStripeClient(settings: Settings): Stripe | null {
  const { secretKey, apiBaseUrl } = settings.stripe;
  if (!secretKey && !apiBaseUrl) return null;
  const config: NonNullable<ConstructorParameters<typeof Stripe>[1]> = {
    maxNetworkRetries: 2,
    timeout: 20_000,
    appInfo: { name: 'studio-sessions' },
  };
  if (apiBaseUrl) {
    const url = new URL(apiBaseUrl);
    const protocol = url.protocol === 'http:' ? 'http' : 'https';
    config.protocol = protocol;
    config.host = url.hostname;
    config.port = url.port || (protocol === 'http' ? 80 : 443);
  }
  return new Stripe(secretKey ?? STRIPE_MOCK_KEY, config);
}

// --- The simulator ---------------------------------------------------------------------

/** Guards the simulator page: only whoever got the checkout URL can "pay" that purchase. */
export function simulatorToken(settings: Settings, purchaseId: number): string {
  return createHmac('sha256', settings.stripe.webhookSecret).update(`checkout-simulator:${purchaseId}`).digest('base64url').slice(0, 32);
}

export function validSimulatorToken(settings: Settings, purchaseId: number, token: string | undefined): boolean {
  const expected = Buffer.from(simulatorToken(settings, purchaseId));
  const given = Buffer.from(token ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export const simulatedCheckoutSessionId = () => `cs_test_sim_${randomBytes(12).toString('hex')}`;

/** One payment intent per checkout session, so an async payment's two events name the same payment. */
export const simulatedPaymentIntentId = (checkoutSessionId: string) =>
  `pi_sim_${createHash('sha256').update(checkoutSessionId).digest('hex').slice(0, 24)}`;

export const simulatedRefundId = (idempotencyKey: string) =>
  `re_sim_${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 24)}`;

export interface SimulatedPayment {
  purchaseId: number;
  amountCents: number;
  currency: string;
  checkoutSessionId: string;
  customerId: string | null;
  email: string;
}

export type SimulatedCheckoutEventType =
  'checkout.session.completed' | 'checkout.session.async_payment_succeeded' | 'checkout.session.async_payment_failed';

function event(type: string, object: Record<string, unknown>) {
  return {
    id: `evt_sim_${randomBytes(12).toString('hex')}`,
    object: 'event',
    api_version: Stripe.API_VERSION,
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    type,
    data: { object },
  };
}

/** A Checkout Session event as Stripe sends it (the fields our webhook and any reader rely on). */
export function simulatedCheckoutEvent(type: SimulatedCheckoutEventType, payment: SimulatedPayment, paymentStatus: 'paid' | 'unpaid') {
  return event(type, {
    id: payment.checkoutSessionId,
    object: 'checkout.session',
    mode: 'payment',
    status: 'complete',
    payment_status: paymentStatus,
    client_reference_id: String(payment.purchaseId),
    metadata: { purchaseId: String(payment.purchaseId), simulator: 'true' },
    amount_subtotal: payment.amountCents,
    amount_total: payment.amountCents,
    currency: payment.currency,
    customer: payment.customerId,
    customer_details: { email: payment.email },
    payment_intent: simulatedPaymentIntentId(payment.checkoutSessionId),
    livemode: false,
    created: Math.floor(Date.now() / 1000),
  });
}

export interface SimulatedRefund {
  purchaseId: number;
  paymentIntentId: string;
  chargeAmountCents: number;
  currency: string;
  refundId: string;
  amountCents: number;
  /** Everything refunded on the charge including this refund, as Stripe's `amount_refunded` says. */
  amountRefundedCents: number;
}

export function simulatedChargeRefundedEvent(refund: SimulatedRefund) {
  const chargeId = `ch_sim_${refund.paymentIntentId.slice('pi_sim_'.length)}`;
  return event('charge.refunded', {
    id: chargeId,
    object: 'charge',
    amount: refund.chargeAmountCents,
    amount_captured: refund.chargeAmountCents,
    amount_refunded: refund.amountRefundedCents,
    currency: refund.currency,
    paid: true,
    captured: true,
    refunded: refund.amountRefundedCents >= refund.chargeAmountCents,
    payment_intent: refund.paymentIntentId,
    metadata: { purchaseId: String(refund.purchaseId), simulator: 'true' },
    refunds: {
      object: 'list',
      data: [
        {
          id: refund.refundId,
          object: 'refund',
          amount: refund.amountCents,
          charge: chargeId,
          currency: refund.currency,
          payment_intent: refund.paymentIntentId,
          status: 'succeeded',
          reason: 'requested_by_customer',
        },
      ],
      has_more: false,
    },
  });
}

/** Signs like Stripe does and posts to our own webhook, through the same verification as real events. */
export async function postSignedEvent(settings: Settings, payload: object): Promise<void> {
  const body = JSON.stringify(payload);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: settings.stripe.webhookSecret });
  const response = await fetch(settings.store.simulatorWebhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'stripe-signature': signature },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  if (!response.ok) {
    throw new Error(`the webhook at ${settings.store.simulatorWebhookUrl} answered ${response.status}: ${await response.text()}`);
  }
}
