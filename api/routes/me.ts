import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { User } from '../../model/entities/user.js';
import { bookingsFor, ledgerFor } from '../../model/schedule.js';
import { clientSummary } from '../../model/summary.js';
import type { RouteDependencies } from '../dependencies.js';
import { accountCheckOf, currentUserId, requireRole } from '../auth/guard.js';
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

  const preferencesOf = (user: { emailReminders: boolean; emailNudges: boolean }) => ({
    reminders: user.emailReminders,
    nudges: user.emailNudges,
  });
  const preferencesDescription =
    'Which optional emails I get: `reminders` (24 h before a session) and `nudges` (credits expiring, low balance). Receipts (bookings, cancellations, purchases, refunds) are always sent.';

  api.get(
    '/api/me/preferences',
    { preHandler: requireRole('client'), schema: { tags: ['me'], summary: 'My email preferences', description: preferencesDescription } },
    async (request) => {
      const user = await orm.em.fork().findOneOrFail(User, { id: currentUserId(request) });
      return preferencesOf(user);
    },
  );

  api.patch(
    '/api/me/preferences',
    {
      preHandler: requireRole('client'),
      schema: {
        tags: ['me'],
        summary: 'Opt in or out of reminders and nudges',
        description: `${preferencesDescription} Send only what changes; answers all of them.`,
        body: Type.Object(
          { reminders: Type.Optional(Type.Boolean()), nudges: Type.Optional(Type.Boolean()) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const em = orm.em.fork();
      const user = await em.findOneOrFail(User, { id: currentUserId(request) });
      if (request.body.reminders !== undefined) user.emailReminders = request.body.reminders;
      if (request.body.nudges !== undefined) user.emailNudges = request.body.nudges;
      await em.flush();
      return preferencesOf(user);
    },
  );

  api.get(
    '/api/me/summary',
    { preHandler: requireRole('client'), config: { accountCheckInRead: true }, schema: { tags: ['me'], summary: 'My credit summary' } },
    async (request) => {
      return { success: true, data: await clientSummary(orm, currentUserId(request), accountCheckOf(request)) };
    },
  );

  api.get(
    '/api/me/ledger',
    {
      preHandler: requireRole('client'),
      config: { accountCheckInRead: true },
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
    async (request) =>
      ledgerFor(orm, currentUserId(request), { limit: request.query.limit ?? 50, beforeId: request.query.before }, accountCheckOf(request)),
  );

  api.get(
    '/api/me/bookings',
    { preHandler: requireRole('client'), schema: { tags: ['me'], summary: 'My bookings, latest first' } },
    async (request) => bookingsFor(orm, currentUserId(request)),
  );
}
