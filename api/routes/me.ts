import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { User } from '../../model/entities/user.js';
import { bookingsFor, ledgerFor } from '../../model/schedule.js';
import { clientSummary } from '../../model/summary.js';
import type { RouteDependencies } from '../dependencies.js';
import { currentUserId, requireRole } from '../auth/guard.js';
import { HttpError } from '../errors.js';

/** Self-service for the signed-in user: profile, the same summary the console shows, ledger and bookings. */
export async function meRoutes(app: FastifyInstance, { orm, settings }: RouteDependencies): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const signedIn = requireRole('admin', 'trainer', 'client');

  api.get('/api/me', { preHandler: signedIn, schema: { tags: ['me'], summary: 'The signed-in user' } }, async (request) => {
    const user = await orm.em.fork().findOne(User, { id: currentUserId(request) });
    if (!user) throw new HttpError(401, 'UNAUTHENTICATED', 'This account no longer exists.');
    const summary = user.role === 'client' ? await clientSummary(orm, user.id) : undefined;
    return {
      id: user.id,
      email: user.email,
      role: user.role,
      firstName: user.firstName,
      lastName: user.lastName,
      phone: user.phone,
      ...(summary
        ? {
            availableSessions: summary.available,
            lowBalance: summary.available <= settings.policies.lowBalanceThreshold,
            hasPurchasedBefore: user.hasPurchasedBefore,
          }
        : {}),
    };
  });

  api.get(
    '/api/me/summary',
    { preHandler: requireRole('client'), schema: { tags: ['me'], summary: 'My credit summary' } },
    async (request) => {
      return { success: true, data: await clientSummary(orm, currentUserId(request)) };
    },
  );

  api.get(
    '/api/me/ledger',
    {
      preHandler: requireRole('client'),
      schema: {
        tags: ['me'],
        summary: 'My ledger, newest first',
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          // Ledger ids are bigint: the bound is JavaScript's exact-integer range, which PostgreSQL's bigint holds.
          before: Type.Optional(Type.Integer({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER })),
        }),
      },
    },
    async (request) => ledgerFor(orm, currentUserId(request), { limit: request.query.limit ?? 50, beforeId: request.query.before }),
  );

  api.get(
    '/api/me/bookings',
    { preHandler: requireRole('client'), schema: { tags: ['me'], summary: 'My bookings, latest first' } },
    async (request) => bookingsFor(orm, currentUserId(request)),
  );
}
