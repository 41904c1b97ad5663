import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Stripe from 'stripe';
import { purchaseIdByPaymentIntent } from '../../model/purchases.js';
import { recordStripeEvent } from '../../model/stripe-events.js';
import type { CheckoutEvent } from '../../workflows/definitions.js';
import type { RouteDependencies } from '../dependencies.js';
import { HttpError, toHttpError } from '../errors.js';
import { StripeEventRelay } from '../stripe-event-relay.js';
import { RetryLater } from '../temporal-outage.js';
import type { PurchaseEvent } from '../workflow-commands.js';

/**
 * Stripe's webhook: verify the signature over the exact bytes received, find which
 * purchase the event is about, and store it in the inbox (`stripe_events`) in one
 * statement; the 2xx means it is committed there. The relay then hands it to that
 * purchase's workflow with signal-with-start, right away and again until Temporal has it,
 * so Stripe gets its answer in milliseconds whether or not Temporal or a worker is up,
 * and every decision lives in the workflow.
 */

export type RoutedEvent = PurchaseEvent | { ignored: string };

const CHECKOUT_KINDS: Record<string, CheckoutEvent['kind']> = {
  'checkout.session.completed': 'completed',
  'checkout.session.async_payment_succeeded': 'async_payment_succeeded',
  'checkout.session.async_payment_failed': 'async_payment_failed',
  'checkout.session.expired': 'expired',
};

/** Our purchase ids are positive integers; anything else in client_reference_id is not ours. */
function purchaseIdFrom(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^[1-9]\d{0,9}$/.test(value)) return undefined;
  const id = Number(value);
  return id <= 2_147_483_647 ? id : undefined;
}

const idOf = (value: string | { id: string } | null | undefined) => (typeof value === 'string' ? value : (value?.id ?? null));

/**
 * Charges and disputes name a payment intent, which the purchase row records once paid.
 * A refund can outrun that (its checkout event still queued), so the charge's metadata,
 * copied from the payment intent we created with `metadata.purchaseId`, is the fallback.
 */
async function purchaseForPayment(
  paymentIntentId: string | null,
  metadata: Record<string, string> | null | undefined,
  lookup: (paymentIntentId: string) => Promise<number | undefined>,
): Promise<number | undefined> {
  const known = paymentIntentId ? await lookup(paymentIntentId) : undefined;
  return known ?? purchaseIdFrom(metadata?.purchaseId);
}

export async function routeStripeEvent(
  event: Stripe.Event,
  lookup: (paymentIntentId: string) => Promise<number | undefined>,
): Promise<RoutedEvent> {
  const checkoutKind = CHECKOUT_KINDS[event.type];
  if (checkoutKind) {
    const session = event.data.object as Stripe.Checkout.Session;
    const purchaseId = purchaseIdFrom(session.client_reference_id) ?? purchaseIdFrom(session.metadata?.purchaseId);
    if (!purchaseId) return { ignored: 'checkout session without a purchase of ours' };
    return {
      signal: 'payment',
      purchaseId,
      payload: {
        eventId: event.id,
        created: event.created,
        kind: checkoutKind,
        checkoutSessionId: session.id,
        paymentIntentId: idOf(session.payment_intent),
        paymentStatus: String(session.payment_status),
      },
    };
  }
  if (event.type === 'charge.refunded') {
    const charge = event.data.object;
    const paymentIntentId = idOf(charge.payment_intent);
    const purchaseId = await purchaseForPayment(paymentIntentId, charge.metadata, lookup);
    if (!purchaseId) return { ignored: 'refund of a charge that is not a purchase of ours' };
    return {
      signal: 'refund',
      purchaseId,
      payload: {
        eventId: event.id,
        created: event.created,
        paymentIntentId,
        amountRefunded: charge.amount_refunded,
        refunds: (charge.refunds?.data ?? []).map((refund) => ({ id: refund.id, amount: refund.amount, status: String(refund.status) })),
      },
    };
  }
  if (event.type.startsWith('charge.dispute.')) {
    const dispute = event.data.object as Stripe.Dispute;
    const paymentIntentId = idOf(dispute.payment_intent);
    const purchaseId = await purchaseForPayment(paymentIntentId, dispute.metadata, lookup);
    if (!purchaseId) return { ignored: 'dispute of a charge that is not a purchase of ours' };
    return {
      signal: 'dispute',
      purchaseId,
      payload: { eventId: event.id, created: event.created, disputeId: dispute.id, status: String(dispute.status), paymentIntentId },
    };
  }
  return { ignored: `event type ${event.type} is not used` };
}

function verify(raw: unknown, signature: unknown, secret: string): Stripe.Event {
  if (!Buffer.isBuffer(raw) || raw.length === 0) {
    throw new HttpError(400, 'INVALID_PAYLOAD', 'The request has no body; a Stripe event was expected.');
  }
  if (typeof signature !== 'string' || signature.length === 0) {
    throw new HttpError(400, 'INVALID_SIGNATURE', 'The Stripe-Signature header is missing.');
  }
  let event: Stripe.Event;
  try {
    // Default tolerance (300 s): an old, replayed signature is refused.
    event = Stripe.webhooks.constructEvent(raw, signature, secret);
  } catch (error) {
    if (error instanceof Stripe.errors.StripeSignatureVerificationError) {
      throw new HttpError(
        400,
        'INVALID_SIGNATURE',
        "The Stripe-Signature header does not match this body, this endpoint's secret, or the current time.",
      );
    }
    throw new HttpError(400, 'INVALID_PAYLOAD', 'The body is not a JSON Stripe event.');
  }
  const shape = event as unknown as { id?: unknown; type?: unknown; created?: unknown; data?: { object?: unknown } };
  if (
    typeof shape.id !== 'string' ||
    typeof shape.type !== 'string' ||
    typeof shape.created !== 'number' ||
    typeof shape.data?.object !== 'object' ||
    shape.data.object === null
  ) {
    throw new HttpError(400, 'INVALID_PAYLOAD', 'The body is not a Stripe event (id, type, created and data.object are required).');
  }
  return event;
}

export async function stripeWebhookRoutes(app: FastifyInstance, { orm, settings, commands, metrics }: RouteDependencies): Promise<void> {
  const relay = new StripeEventRelay(orm, commands, app.log);
  app.addHook('onReady', () => relay.start());
  app.addHook('onClose', () => relay.stop());
  // Stripe signs the exact bytes it sent: in this plugin (only) bodies stay raw, whatever their type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body));

  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/webhooks/stripe',
    {
      schema: {
        tags: ['stripe'],
        summary: 'Stripe webhook (signature verified, stored, then relayed to the purchase workflow, where the work happens)',
        security: [],
        response: { 200: Type.Object({ received: Type.Boolean(), ignored: Type.Optional(Type.String()) }) },
      },
    },
    async (request) => {
      const event = verify(request.body, request.headers['stripe-signature'], settings.stripe.webhookSecret);
      const routed = await routeStripeEvent(event, (paymentIntentId) => purchaseIdByPaymentIntent(orm, paymentIntentId));
      if ('ignored' in routed) {
        request.log.info({ eventId: event.id, type: event.type, reason: routed.ignored }, 'Stripe event ignored');
        metrics.webhookEvents.inc({ type: event.type, outcome: 'ignored' });
        return { received: true, ignored: routed.ignored };
      }
      let stored;
      try {
        stored = await recordStripeEvent(orm, {
          eventId: event.id,
          eventType: event.type,
          purchaseId: routed.purchaseId,
          signal: routed.signal,
          payload: routed.payload,
        });
      } catch (error) {
        const refusal = toHttpError(error);
        if (refusal) throw refusal;
        request.log.error({ err: error, eventId: event.id }, 'could not store a Stripe event');
        metrics.webhookEvents.inc({ type: event.type, outcome: 'retry_later' });
        // Not 2xx, so Stripe delivers it again later.
        throw new RetryLater('TEMPORARILY_UNAVAILABLE', 'The event could not be stored; Stripe will retry it.');
      }
      metrics.webhookEvents.inc({ type: event.type, outcome: stored.created ? 'recorded' : 'duplicate' });
      if (!stored.relayed) relay.relaySoon(stored);
      return { received: true };
    },
  );
}
