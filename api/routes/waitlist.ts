import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { findSessionView } from '../../model/schedule.js';
import { inTransaction } from '../../model/transaction.js';
import {
  joinWaitlist,
  leaveWaitlist,
  waitlistGlances,
  waitlistOf,
  waitlistOfClient,
  waitlistOfSession,
  type WaitlistEntryView,
} from '../../model/waitlist.js';
import { actorLabel } from '../../model/vocabulary.js';
import { actorOf } from '../actor.js';
import type { RouteDependencies } from '../dependencies.js';
import { assertSelfOrRole, currentUserId, requireRole } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { rateLimit } from '../rate-limit.js';
import { IdParams } from '../schemas.js';

export function waitlistEntryJson(entry: WaitlistEntryView) {
  return {
    ...entry,
    joinedAt: entry.joinedAt.toISOString(),
    closedAt: entry.closedAt?.toISOString() ?? null,
    startsAt: entry.startsAt.toISOString(),
  };
}

const SessionUserParams = Type.Object({
  id: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
  userId: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
});

/**
 * The waitlist of a full session (README "Waitlist"): clients join and leave for themselves,
 * admins for anyone; every join wakes the session's waitlist workflow, which alone books
 * waiting clients into freed seats (workflows/waitlist.ts).
 */
export async function waitlistRoutes(app: FastifyInstance, deps: RouteDependencies): Promise<void> {
  const { orm, settings, commands } = deps;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const rules = { cutoffMinutes: settings.policies.waitlistCutoffMinutes, bookingHorizonDays: settings.policies.bookingHorizonDays };

  const requireSession = async (sessionId: number) => {
    const session = await findSessionView(orm, sessionId);
    if (!session) throw new HttpError(404, 'NOT_FOUND', `Session ${sessionId} was not found.`);
    return session;
  };

  /** Trainers read the waitlists of their own sessions only. */
  const assertMaySee = (request: FastifyRequest, trainerId: number) => {
    if (request.user.role === 'trainer' && trainerId !== currentUserId(request)) {
      throw new HttpError(403, 'FORBIDDEN', 'Trainers can only see the waitlists of their own sessions.');
    }
  };

  api.get(
    '/api/sessions/:id',
    {
      preHandler: requireRole('admin', 'trainer', 'client'),
      schema: {
        tags: ['schedule'],
        summary: 'One session, with its waitlist as the caller sees it',
        description:
          '`waitlist.waiting` is how many clients wait for a seat; for a client, `waitlist.position` is their own place (1: the next freed seat is theirs), null when they do not wait.',
        params: IdParams,
      },
    },
    async (request) => {
      const session = await requireSession(request.params.id);
      const clientId = request.user.role === 'client' ? currentUserId(request) : undefined;
      const glances = await waitlistGlances(orm, [session.id], clientId);
      return {
        ...session,
        startsAt: session.startsAt.toISOString(),
        endsAt: session.endsAt.toISOString(),
        waitlist: waitlistOf(glances, session.id, clientId),
      };
    },
  );

  api.get(
    '/api/sessions/:id/waitlist',
    {
      preHandler: requireRole('admin', 'trainer'),
      schema: {
        tags: ['waitlist'],
        summary: "A session's waitlist",
        description: 'Waiting clients in the order freed seats are offered (position 1 first), then closed entries, newest first.',
        params: IdParams,
      },
    },
    async (request) => {
      const session = await requireSession(request.params.id);
      assertMaySee(request, session.trainerId);
      return (await waitlistOfSession(orm, session.id)).map(waitlistEntryJson);
    },
  );

  api.post(
    '/api/sessions/:id/waitlist',
    {
      preHandler: [
        requireRole('admin', 'client'),
        rateLimit(orm, { name: 'booking', max: settings.rateLimits.bookingPerMinute, per: 'user' }),
      ],
      schema: {
        tags: ['waitlist'],
        summary: 'Join a full session’s waitlist',
        description:
          'A client joins for themselves, an admin for `userId`. 201 with the entry; 200 with the same entry when the client already waits. ' +
          'Refused: a free seat (409 SEATS_AVAILABLE: book it), already booked (409 ALREADY_BOOKED), within ' +
          '`POLICY_WAITLIST_CUTOFF_MINUTES` of the start (409 WAITLIST_CLOSED), a cancelled or past session (400 NOT_BOOKABLE). ' +
          'When a seat frees up before the cutoff, the first waiting client with a credit is booked (the credit is held then) and told; ' +
          'one without a credit is skipped and told.',
        params: IdParams,
        body: Type.Optional(Type.Object({ userId: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false })),
      },
    },
    async (request, reply) => {
      const clientId = request.body?.userId ?? currentUserId(request);
      assertSelfOrRole(request, clientId, 'admin');
      await requireSession(request.params.id);
      const { entry, joined } = await inTransaction(orm, (sql) =>
        joinWaitlist(sql, { sessionId: request.params.id, clientId, addedBy: actorLabel(actorOf(request)), rules }),
      );
      // Also for a place already held: a repeat after a 503 starts the workflow that answer missed.
      await commands.waitlistChanged(entry.sessionId);
      return reply.code(joined ? 201 : 200).send(waitlistEntryJson(entry));
    },
  );

  api.delete(
    '/api/sessions/:id/waitlist/:userId',
    {
      preHandler: requireRole('admin', 'client'),
      schema: {
        tags: ['waitlist'],
        summary: 'Leave a session’s waitlist',
        description:
          'A client leaves for themselves, an admin takes anyone off. 404 when they do not wait; 409 PROMOTION_IN_PROGRESS while a freed seat is being booked for them (cancel the booking instead).',
        params: SessionUserParams,
      },
    },
    async (request) => {
      assertSelfOrRole(request, request.params.userId, 'admin');
      await requireSession(request.params.id);
      const isSelf = request.params.userId === currentUserId(request);
      const entry = await inTransaction(orm, (sql) =>
        leaveWaitlist(sql, {
          sessionId: request.params.id,
          clientId: request.params.userId,
          reason: isSelf ? 'Left the waitlist.' : 'Removed by the studio.',
        }),
      );
      // The workflow looks again: with nobody left waiting it ends rather than wait for the cutoff.
      await commands.waitlistChanged(entry.sessionId);
      return waitlistEntryJson(entry);
    },
  );

  api.get(
    '/api/me/waitlist',
    {
      preHandler: requireRole('client'),
      schema: {
        tags: ['me'],
        summary: 'My waitlist entries, latest first',
        description:
          'Each with its state (waiting, promoted, skipped, left, expired, cancelled), my position while waiting, and the booking a promotion made.',
      },
    },
    async (request) => (await waitlistOfClient(orm, currentUserId(request))).map(waitlistEntryJson),
  );
}
