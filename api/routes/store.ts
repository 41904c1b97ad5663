import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type Stripe from 'stripe';
import type { Settings } from '../../config/settings.js';
import { createStripeClient, simulatedCheckoutSessionId, simulatorToken, usesStripeSimulator } from '../../payments/stripe.js';
import type { Orm } from '../../model/orm.js';
import {
  attachCheckoutSession,
  createPendingPurchase,
  findBuyer,
  findPackageOnSale,
  findPurchaseSummary,
  keepStripeCustomerId,
  listPackagesOnSale,
  markCheckoutFailed,
  type Buyer,
  type NewPurchase,
  type PackageOnSale,
} from '../../model/purchases.js';
import { purchaseWorkflowId } from '../../workflows/definitions.js';
import type { RouteDependencies } from '../dependencies.js';
import { currentUserId, requireRole } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { rateLimit } from '../rate-limit.js';
import { IdempotencyHeaders } from '../schemas.js';
import { checkoutReturnPage, type CheckoutResult } from './checkout-pages.js';

const Id = Type.Integer({ minimum: 1, maximum: 2_147_483_647 });

const PackageShape = Type.Object({
  id: Type.Integer(),
  name: Type.String(),
  sessions: Type.Integer(),
  priceCents: Type.Integer(),
  currency: Type.String(),
  validityDays: Type.Union([Type.Integer(), Type.Null()]),
});

const RefundReply = Type.Object({
  purchaseId: Type.Integer(),
  refundId: Type.String(),
  amountCents: Type.Integer(),
  status: Type.String(),
  refundedCents: Type.Integer(),
  refundedSessions: Type.Integer(),
  sessionsOwed: Type.Integer(),
  disputeStatus: Type.Union([Type.String(), Type.Null()]),
  simulator: Type.Boolean(),
});

interface CheckoutSession {
  id: string;
  url: string;
}

/** A Stripe customer per client, created once and reused for every later checkout. */
async function stripeCustomer(stripe: Stripe, orm: Orm, buyer: Buyer): Promise<string> {
  if (buyer.stripeCustomerId) return buyer.stripeCustomerId;
  const customer = await stripe.customers.create(
    {
      email: buyer.email,
      name: `${buyer.firstName} ${buyer.lastName}`.trim(),
      metadata: { userId: String(buyer.id) },
    },
    { idempotencyKey: `customer-${buyer.id}-${buyer.createdAt.getTime()}` },
  );
  return keepStripeCustomerId(orm, buyer.id, customer.id);
}

/**
 * A Stripe Checkout Session tied to the purchase both ways (client_reference_id and
 * metadata; the payment intent's metadata too, so refunds and disputes find it). The
 * idempotency key is the purchase's (id and creation time, unique even across databases
 * that share one Stripe account), so a retried call opens the same session.
 */
async function openStripeCheckout(
  stripe: Stripe,
  orm: Orm,
  settings: Settings,
  buyer: Buyer,
  pkg: PackageOnSale,
  purchase: NewPurchase,
): Promise<CheckoutSession> {
  const purchaseId = String(purchase.id);
  const returnUrl = (result: string) => `${settings.store.publicUrl}/checkout/return?purchase=${purchaseId}&result=${result}`;
  const session = await stripe.checkout.sessions.create(
    {
      mode: 'payment',
      client_reference_id: purchaseId,
      metadata: { purchaseId },
      payment_intent_data: { metadata: { purchaseId } },
      customer: await stripeCustomer(stripe, orm, buyer),
      line_items: [
        pkg.stripePriceId
          ? { price: pkg.stripePriceId, quantity: 1 }
          : { quantity: 1, price_data: { currency: pkg.currency, unit_amount: pkg.priceCents, product_data: { name: pkg.name } } },
      ],
      success_url: returnUrl('success'),
      cancel_url: returnUrl('cancelled'),
    },
    { idempotencyKey: `checkout-${purchaseId}-${purchase.createdAt.getTime()}` },
  );
  if (!session.url) throw new Error(`Stripe returned checkout session ${session.id} without a URL`);
  return { id: session.id, url: session.url };
}

/**
 * The store: packages on sale (public, like a price list on the studio's site), checkout
 * for clients, the page Checkout returns to, and admin refunds through the purchase's workflow.
 */
export async function storeRoutes(app: FastifyInstance, { orm, settings, commands }: RouteDependencies): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const stripe = createStripeClient(settings);
  const simulator = usesStripeSimulator(settings);

  api.get(
    '/api/packages',
    {
      schema: {
        tags: ['store'],
        summary: 'Packages on sale (public)',
        security: [],
        response: { 200: Type.Array(PackageShape) },
      },
    },
    async () => (await listPackagesOnSale(orm)).map(({ stripePriceId: _price, ...pkg }) => pkg),
  );

  api.post(
    '/api/checkout',
    {
      preHandler: [requireRole('client'), rateLimit(orm, { name: 'checkout', max: settings.rateLimits.checkoutPerMinute, per: 'user' })],
      config: { idempotent: true },
      schema: {
        tags: ['store'],
        summary: 'Start buying a package: returns the URL of its checkout page',
        headers: IdempotencyHeaders,
        body: Type.Object({ packageId: Id }, { additionalProperties: false }),
        response: { 201: Type.Object({ purchaseId: Type.Integer(), url: Type.String(), simulator: Type.Boolean() }) },
      },
    },
    async (request, reply) => {
      const pkg = await findPackageOnSale(orm, request.body.packageId);
      if (!pkg) throw new HttpError(404, 'NOT_FOUND', `Package ${request.body.packageId} is not on sale.`);
      const buyer = await findBuyer(orm, currentUserId(request));
      if (!buyer) throw new HttpError(404, 'NOT_FOUND', 'Your client account was not found.');
      const purchase = await createPendingPurchase(orm, buyer.id, pkg, purchaseWorkflowId);
      let session: CheckoutSession;
      try {
        session = stripe
          ? await openStripeCheckout(stripe, orm, settings, buyer, pkg, purchase)
          : {
              id: simulatedCheckoutSessionId(),
              url: `${settings.store.publicUrl}/checkout/simulator/${purchase.id}?token=${simulatorToken(settings, purchase.id)}`,
            };
      } catch (error) {
        await markCheckoutFailed(orm, purchase.id);
        request.log.error({ err: error, purchaseId: purchase.id }, 'Stripe could not open a checkout');
        throw new HttpError(
          502,
          'PAYMENT_PROVIDER_UNAVAILABLE',
          'The payment provider could not open a checkout; nothing was charged. Please try again.',
        );
      }
      await attachCheckoutSession(orm, purchase.id, session.id);
      return reply.code(201).send({ purchaseId: purchase.id, url: session.url, simulator });
    },
  );

  api.get(
    '/checkout/return',
    {
      schema: {
        hide: true,
        querystring: Type.Object({
          purchase: Type.Optional(Id),
          result: Type.Optional(Type.Union(['success', 'paid', 'processing', 'cancelled', 'failed'].map((value) => Type.Literal(value)))),
        }),
      },
    },
    async (request, reply) =>
      reply
        .type('text/html; charset=utf-8')
        .send(checkoutReturnPage(request.query.purchase, (request.query.result ?? 'success') as CheckoutResult, simulator)),
  );

  api.post(
    '/api/admin/purchases/:id/refund',
    {
      preHandler: requireRole('admin'),
      config: { idempotent: true },
      schema: {
        tags: ['admin'],
        summary: 'Refund a purchase (by sessions, by amount, or the rest); its credits are taken back once',
        params: Type.Object({ id: Id }),
        headers: Type.Object({ 'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) }),
        body: Type.Object(
          {
            sessions: Type.Optional(Type.Integer({ minimum: 1, maximum: 10_000 })),
            amountCents: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000_000 })),
            reason: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: RefundReply },
      },
    },
    async (request) => {
      const purchaseId = request.params.id;
      const purchase = await findPurchaseSummary(orm, purchaseId);
      if (!purchase) throw new HttpError(404, 'NOT_FOUND', `Purchase ${purchaseId} was not found.`);
      if (['pending', 'failed', 'expired'].includes(purchase.status)) {
        throw new HttpError(409, 'CONFLICT', `Purchase #${purchaseId} is ${purchase.status}; only paid purchases can be refunded.`);
      }
      const { sessions, amountCents, reason } = request.body;
      const key = request.headers['idempotency-key'];
      const outcome = await commands.refund(
        purchaseId,
        { sessions, amountCents, reason, actor: { id: String(currentUserId(request)), role: 'admin' } },
        key,
      );
      return { ...outcome, simulator };
    },
  );
}
