import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifySchema } from 'fastify';
import type { DestinationStream } from 'pino';
import cors from '@fastify/cors';
import jwt from '@fastify/jwt';
import fastifyStatic from '@fastify/static';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import helmet from 'helmet';
import { jsonLines } from '../logs/json-lines.js';
import { requestIdFrom } from '../logs/request-ids.js';
import { accountAccess } from '../model/accounts.js';
import { installAccountChecks } from './auth/guard.js';
import type { ApiDependencies, RouteDependencies } from './dependencies.js';
import { installErrorHandler } from './errors.js';
import { installIdempotency } from './idempotency.js';
import { createMetrics, installRequestTiming } from './metrics.js';
import { accountRoutes } from './routes/accounts.js';
import { adminResourceRoutes } from './routes/admin-resources.js';
import { authRoutes } from './routes/auth.js';
import { checkoutSimulatorRoutes } from './routes/checkout-simulator.js';
import { creditRoutes } from './routes/credits.js';
import { eventRoutes } from './routes/events.js';
import { healthRoutes } from './routes/health.js';
import { meRoutes } from './routes/me.js';
import { metricsRoutes } from './routes/metrics.js';
import { reconciliationRoutes } from './routes/reconciliation.js';
import { reportRoutes } from './routes/reports.js';
import { seriesRoutes } from './routes/series.js';
import { sessionRoutes } from './routes/sessions.js';
import { waitlistRoutes } from './routes/waitlist.js';
import { storeRoutes } from './routes/store.js';
import { studioRoutes } from './routes/studio.js';
import { stripeWebhookRoutes } from './routes/stripe-webhook.js';
import { installRetryAfterHeader } from './temporal-outage.js';
import { installRequestIds, REQUEST_ID_HEADER } from './request-ids.js';
import { installValidation } from './validation.js';
import { WorkflowCommands } from './workflow-commands.js';

export const consoleDist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', 'admin', 'dist');

/** Fastify's own hop count is untyped; this is what it does with one: trust that many proxies nearest the socket. */
const trustHops = (hops: number) => (_address: string, hop: number) => hop < hops;

/** Builds the whole HTTP surface; `listen` is the caller's choice so tests can inject. */
export interface BuildOptions {
  /** JSON lines at LOG_LEVEL: `true` to stdout, or to the destination given (tests read them); off by default. */
  logger?: boolean | { destination: DestinationStream };
  /** Sees every route as it is registered: the security suites walk the real route table with it. */
  onRoute?: (route: { method: string; url: string; schema: FastifySchema | undefined }) => void;
}

export async function buildApp(deps: ApiDependencies, options: BuildOptions = {}): Promise<FastifyInstance> {
  const { settings } = deps;
  const logging: { loggerInstance: FastifyBaseLogger } | { logger: false } = options.logger
    ? { loggerInstance: jsonLines(settings.logLevel, options.logger === true ? undefined : options.logger.destination) }
    : { logger: false };
  const app = Fastify({
    ...logging,
    // Always ours (never Fastify's header handling, which takes any value): see installRequestIds.
    requestIdHeader: false,
    genReqId: (request) => requestIdFrom(request.headers[REQUEST_ID_HEADER]),
    // request.ip is the socket's address unless TRUST_PROXY names the proxies in front.
    trustProxy: typeof settings.trustProxy === 'number' ? trustHops(settings.trustProxy) : settings.trustProxy,
  });
  installRequestIds(app);
  installErrorHandler(app);
  installValidation(app);
  installRetryAfterHeader(app);
  const { onRoute } = options;
  if (onRoute) {
    app.addHook('onRoute', (route) => {
      for (const method of Array.isArray(route.method) ? route.method : [route.method])
        onRoute({ method, url: route.url, schema: route.schema });
    });
  }
  app.decorate('accountAccess', (userId: number) => accountAccess(deps.orm, userId));
  installAccountChecks(app);
  installIdempotency(app, deps.orm);

  // Helmet's options parsed once, here: @fastify/helmet built a new helmet, re-parsing the
  // policy, on every request (3 % of the API's busy time on the hot reads).
  const secureHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
      },
    },
  });
  app.addHook('onRequest', (request, reply, done) => secureHeaders(request.raw, reply.raw, () => done()));
  await app.register(cors, {
    origin: settings.consoleOrigin ? settings.consoleOrigin.split(',') : false,
    exposedHeaders: ['Content-Range'],
    credentials: false,
  });
  await app.register(jwt, { secret: settings.jwtSecret, sign: { expiresIn: '12h' } });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Studio Sessions API', version: '1.0.0', description: 'Session-credit ledger and booking engine.' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  const metrics = createMetrics(deps.orm);
  installRequestTiming(app, metrics);
  const routeDeps: RouteDependencies = { ...deps, metrics, commands: new WorkflowCommands(deps.temporal, settings, app.log, metrics) };
  await app.register(healthRoutes, routeDeps);
  await app.register(metricsRoutes, routeDeps);
  await app.register(authRoutes, routeDeps);
  await app.register(creditRoutes, routeDeps);
  await app.register(sessionRoutes, routeDeps);
  await app.register(seriesRoutes, routeDeps);
  await app.register(meRoutes, routeDeps);
  await app.register(waitlistRoutes, routeDeps);
  await app.register(adminResourceRoutes, routeDeps);
  await app.register(reconciliationRoutes, routeDeps);
  await app.register(reportRoutes, routeDeps);
  await app.register(accountRoutes, routeDeps);
  await app.register(studioRoutes, routeDeps);
  await app.register(eventRoutes, routeDeps);
  // Store and Stripe; the webhook plugin keeps raw bodies for its own route only.
  await app.register(storeRoutes, routeDeps);
  await app.register(stripeWebhookRoutes, routeDeps);
  await app.register(checkoutSimulatorRoutes, deps);

  if (existsSync(path.join(consoleDist, 'index.html'))) {
    await app.register(fastifyStatic, { root: consoleDist, prefix: '/admin/', decorateReply: false });
    app.get('/admin', { schema: { hide: true } }, (_request, reply) => reply.redirect('/admin/'));
  }
  app.get('/', { schema: { hide: true } }, (_request, reply) => reply.redirect('/admin/'));
  return app;
}
