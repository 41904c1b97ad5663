import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  postSignedEvent,
  simulatedCheckoutEvent,
  simulatorToken,
  usesStripeSimulator,
  validSimulatorToken,
  type SimulatedPayment,
} from '../../payments/stripe.js';
import { findPurchaseSummary, type PurchaseSummary } from '../../model/purchases.js';
import type { ApiDependencies } from '../dependencies.js';
import { HttpError } from '../errors.js';
import { simulatorPage } from './checkout-pages.js';

/**
 * The local stand-in for Stripe Checkout (no STRIPE_SECRET_KEY): a page labelled as a
 * simulator whose buttons make this API post correctly shaped, correctly signed Stripe
 * events to its own webhook over HTTP, exactly as Stripe would. With Stripe configured
 * these routes do not exist.
 */
export async function checkoutSimulatorRoutes(app: FastifyInstance, { orm, settings }: ApiDependencies): Promise<void> {
  if (!usesStripeSimulator(settings)) return;
  // The page's plain HTML forms post urlencoded bodies; only this plugin parses them.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 4096 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });
  // A bank debit settles a little later; timers still pending at shutdown are dropped with the simulation.
  const settling = new Set<NodeJS.Timeout>();
  app.addHook('onClose', async () => {
    for (const timer of settling) clearTimeout(timer);
  });
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const params = Type.Object({ purchaseId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }) });

  async function payablePurchase(purchaseId: number, token: string | undefined): Promise<PurchaseSummary & { checkoutSessionId: string }> {
    const purchase = validSimulatorToken(settings, purchaseId, token) ? await findPurchaseSummary(orm, purchaseId) : undefined;
    if (!purchase || !purchase.checkoutSessionId) throw new HttpError(404, 'NOT_FOUND', 'No such test checkout.');
    return purchase as PurchaseSummary & { checkoutSessionId: string };
  }

  api.get(
    '/checkout/simulator/:purchaseId',
    {
      schema: { hide: true, params, querystring: Type.Object({ token: Type.Optional(Type.String({ maxLength: 100 })) }) },
    },
    async (request, reply) => {
      const purchase = await payablePurchase(request.params.purchaseId, request.query.token);
      return reply.type('text/html; charset=utf-8').send(
        simulatorPage({
          purchaseId: purchase.id,
          token: simulatorToken(settings, purchase.id),
          packageName: purchase.packageName,
          sessions: purchase.sessions,
          amountCents: purchase.amountCents,
          currency: purchase.currency,
          email: purchase.email,
          status: purchase.status,
          settleSeconds: Math.round(settings.store.simulatorSettleMs / 1000),
        }),
      );
    },
  );

  api.post(
    '/checkout/simulator/:purchaseId/pay',
    {
      schema: {
        hide: true,
        params,
        body: Type.Object({
          token: Type.String({ maxLength: 100 }),
          method: Type.Union([Type.Literal('card'), Type.Literal('bank_debit'), Type.Literal('bank_debit_fails')]),
        }),
      },
    },
    async (request, reply) => {
      const purchase = await payablePurchase(request.params.purchaseId, request.body.token);
      const back = (result: string) => reply.redirect(`/checkout/return?purchase=${purchase.id}&result=${result}`, 303);
      if (purchase.status !== 'pending') return back(purchase.status === 'failed' ? 'failed' : 'paid');
      const payment: SimulatedPayment = {
        purchaseId: purchase.id,
        amountCents: purchase.amountCents,
        currency: purchase.currency,
        checkoutSessionId: purchase.checkoutSessionId,
        customerId: purchase.customerId,
        email: purchase.email,
      };
      const send = async (event: object) => {
        try {
          await postSignedEvent(settings, event);
        } catch (error) {
          request.log.error({ err: error }, 'the checkout simulator could not deliver its webhook');
          throw new HttpError(
            502,
            'SIMULATOR_WEBHOOK_FAILED',
            'The simulator could not deliver its webhook to this API; nothing was paid.',
          );
        }
      };
      if (request.body.method === 'card') {
        await send(simulatedCheckoutEvent('checkout.session.completed', payment, 'paid'));
        return back('paid');
      }
      await send(simulatedCheckoutEvent('checkout.session.completed', payment, 'unpaid'));
      const outcome =
        request.body.method === 'bank_debit' ? 'checkout.session.async_payment_succeeded' : 'checkout.session.async_payment_failed';
      const timer = setTimeout(() => {
        settling.delete(timer);
        postSignedEvent(settings, simulatedCheckoutEvent(outcome, payment, outcome.endsWith('succeeded') ? 'paid' : 'unpaid')).catch(
          (error) => app.log.error({ err: error }, 'the checkout simulator could not deliver the bank debit outcome'),
        );
      }, settings.store.simulatorSettleMs);
      settling.add(timer);
      return back('processing');
    },
  );
}
