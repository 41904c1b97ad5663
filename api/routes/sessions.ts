import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { findClientsToBook } from '../../model/admin-queries.js';
import { DomainError, ErrorCode } from '../../model/errors.js';
import { findSessionView, isTrainer, liveBookings, sessionFullFor, SessionListCache, type SessionView } from '../../model/schedule.js';
import { inTransaction } from '../../model/transaction.js';
import { bookingWorkflowId } from '../../workflows/definitions.js';
import { actorOf } from '../actor.js';
import type { RouteDependencies } from '../dependencies.js';
import { accountCheckOf, assertSelfOrRole, currentUserId, requireRole } from '../auth/guard.js';
import { HttpError, toHttpError } from '../errors.js';
import { answerIsPending } from '../idempotency.js';
import { rateLimit } from '../rate-limit.js';
import { IdParams, IdempotencyHeaders, UserIdParams } from '../schemas.js';

const DAY = 86_400_000;

/** A session as the API answers it: ISO 8601 times. */
export function sessionJson(session: SessionView) {
  return { ...session, startsAt: session.startsAt.toISOString(), endsAt: session.endsAt.toISOString() };
}

async function requireSession(deps: RouteDependencies, sessionId: number): Promise<SessionView> {
  const session = await findSessionView(deps.orm, sessionId);
  if (!session) throw new HttpError(404, 'NOT_FOUND', `Session ${sessionId} was not found.`);
  return session;
}

/** Trainers act on their own sessions only; admins on any. */
function assertRunsSession(request: FastifyRequest, session: SessionView): void {
  if (request.user.role === 'trainer' && session.trainerId !== currentUserId(request)) {
    throw new HttpError(403, 'FORBIDDEN', 'Trainers can only manage their own sessions.');
  }
}

async function assertTrainer(deps: RouteDependencies, trainerId: number): Promise<void> {
  if (!(await isTrainer(deps.orm, trainerId))) throw new HttpError(400, 'INVALID_TRAINER', `User ${trainerId} is not a trainer.`);
}

const SessionBody = {
  trainerId: Type.Integer({ minimum: 1 }),
  startsAt: Type.String({ format: 'date-time' }),
  durationMinutes: Type.Integer({ minimum: 5, maximum: 1440 }),
  capacity: Type.Integer({ minimum: 1, maximum: 100 }),
  location: Type.String({ maxLength: 200 }),
  notes: Type.String({ maxLength: 2000 }),
};

/** The master schedule and booking: reads straight from PostgreSQL, every booking change through its workflow. */
export async function sessionRoutes(app: FastifyInstance, deps: RouteDependencies): Promise<void> {
  const { orm, settings, commands, metrics } = deps;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const sessionLists = new SessionListCache(orm);

  api.get(
    '/api/sessions',
    {
      preHandler: requireRole('admin', 'trainer', 'client'),
      config: { accountCheckInRead: true },
      schema: {
        tags: ['schedule'],
        summary: 'Sessions in a time range (clients see only bookable ones)',
        querystring: Type.Object({
          from: Type.Optional(Type.String({ format: 'date-time' })),
          to: Type.Optional(Type.String({ format: 'date-time' })),
          trainerId: Type.Optional(Type.Integer({ minimum: 1 })),
          bookable: Type.Optional(Type.Boolean()),
          includeFull: Type.Optional(
            Type.Boolean({ description: 'With bookable sessions (always, for clients): full ones too, whose waitlist can be joined' }),
          ),
        }),
      },
    },
    async (request, reply) => {
      const from = request.query.from ? new Date(request.query.from) : new Date();
      const to = request.query.to ? new Date(request.query.to) : new Date(from.getTime() + 14 * DAY);
      if (to <= from) throw new HttpError(400, 'VALIDATION_FAILED', '"to" must be after "from".');
      if (to.getTime() - from.getTime() > 100 * DAY) throw new HttpError(400, 'VALIDATION_FAILED', 'Ask for at most 100 days at a time.');
      const json = await sessionLists.json(
        {
          from,
          to,
          trainerId: request.query.trainerId,
          bookableOnly: request.user.role === 'client' || request.query.bookable === true,
          lateBookingMinutes: settings.policies.lateBookingMinutes,
          includeFull: request.query.includeFull,
          clientId: request.user.role === 'client' ? currentUserId(request) : undefined,
        },
        accountCheckOf(request),
      );
      return reply.type('application/json; charset=utf-8').send(json);
    },
  );

  api.post(
    '/api/sessions',
    {
      preHandler: requireRole('admin', 'trainer'),
      schema: {
        tags: ['schedule'],
        summary: 'Create a session, or a weekly series with repeatWeeks',
        description: 'A series is all or nothing: one overlap anywhere refuses the whole series with 409.',
        body: Type.Object(
          {
            trainerId: SessionBody.trainerId,
            startsAt: SessionBody.startsAt,
            durationMinutes: SessionBody.durationMinutes,
            capacity: Type.Optional(SessionBody.capacity),
            location: Type.Optional(SessionBody.location),
            notes: Type.Optional(SessionBody.notes),
            repeatWeeks: Type.Optional(Type.Integer({ minimum: 0, maximum: 52 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (request.user.role === 'trainer' && body.trainerId !== currentUserId(request)) {
        throw new HttpError(403, 'FORBIDDEN', 'Trainers can only schedule their own sessions.');
      }
      await assertTrainer(deps, body.trainerId);
      const first = new Date(body.startsAt);
      if (first.getTime() <= Date.now()) throw new HttpError(400, 'VALIDATION_FAILED', 'startsAt must be in the future.');
      const repeat = body.repeatWeeks ?? 0;
      const seriesId = repeat > 0 ? randomUUID() : null;
      const ids = await inTransaction(orm, async (sql) => {
        const created: number[] = [];
        for (let week = 0; week <= repeat; week += 1) {
          const [row] = await sql<{ id: number }>(
            `insert into training_sessions (trainer_id, starts_at, duration_minutes, capacity, location, notes, series_id)
            values (?, ?, ?, ?, ?, ?, ?) returning id`,
            [
              body.trainerId,
              new Date(first.getTime() + week * 7 * DAY),
              body.durationMinutes,
              body.capacity ?? 1,
              body.location ?? null,
              body.notes ?? null,
              seriesId,
            ],
          );
          created.push(row!.id);
        }
        return created;
      });
      const sessions = await Promise.all(ids.map((id) => requireSession(deps, id)));
      const [head] = sessions.map(sessionJson);
      return reply.code(201).send({ ...head!, ...(seriesId ? { series: sessions.map(sessionJson) } : {}) });
    },
  );

  api.patch(
    '/api/sessions/:id',
    {
      preHandler: requireRole('admin', 'trainer'),
      schema: {
        tags: ['schedule'],
        summary: 'Reschedule, reassign, resize or cancel a session',
        description:
          'Booked clients keep their bookings and their reminders follow the new time; cancelling returns every booked credit. ' +
          'Both run as workflows (session-reschedule-<id>, session-cancel-<id>), so a crash half-way resumes.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            trainerId: Type.Optional(SessionBody.trainerId),
            startsAt: Type.Optional(SessionBody.startsAt),
            durationMinutes: Type.Optional(SessionBody.durationMinutes),
            capacity: Type.Optional(SessionBody.capacity),
            location: Type.Optional(Type.Union([SessionBody.location, Type.Null()])),
            notes: Type.Optional(Type.Union([SessionBody.notes, Type.Null()])),
            status: Type.Optional(Type.Literal('cancelled')),
            reason: Type.Optional(Type.String({ maxLength: 500 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (request, reply) => {
      const before = await requireSession(deps, request.params.id);
      assertRunsSession(request, before);
      const body = request.body;
      if (body.trainerId !== undefined && body.trainerId !== before.trainerId) {
        if (request.user.role !== 'admin') throw new HttpError(403, 'FORBIDDEN', 'Only an admin can reassign a session.');
        await assertTrainer(deps, body.trainerId);
      }
      if (body.status === 'cancelled') return cancelWholeSession(request, reply, before, body.reason);
      if (['cancelled', 'completed', 'no_show'].includes(before.status)) {
        throw new HttpError(409, 'NOT_EDITABLE', `This session is ${before.status.replace('_', ' ')} and can no longer change.`);
      }
      if (body.startsAt && new Date(body.startsAt).getTime() <= Date.now()) {
        throw new HttpError(400, 'VALIDATION_FAILED', 'startsAt must be in the future.');
      }
      if (body.capacity !== undefined && body.capacity < before.bookedCount) {
        throw new HttpError(409, 'CAPACITY_BELOW_BOOKINGS', `${before.bookedCount} clients are booked; capacity cannot go below that.`);
      }
      const { status: _status, reason: _reason, ...changes } = body;
      await commands.rescheduleSession({ sessionId: before.id, actor: actorOf(request), changes }, request.headers['idempotency-key']);
      return sessionJson(await requireSession(deps, before.id));
    },
  );

  async function cancelWholeSession(request: FastifyRequest, reply: FastifyReply, session: SessionView, reason: string | undefined) {
    if (request.user.role !== 'admin') throw new HttpError(403, 'FORBIDDEN', 'Only an admin can cancel a whole session.');
    if (['completed', 'no_show'].includes(session.status)) {
      throw new HttpError(409, 'NOT_EDITABLE', 'This session has already taken place.');
    }
    // A workflow closes the session and cancels each booking, so a crash half-way resumes instead of leaving live bookings behind.
    const { workflowId, outcomes } = await commands.cancelSession({
      sessionId: session.id,
      actor: actorOf(request),
      reason: reason ?? 'Session cancelled by the studio',
    });
    const answer = { ...sessionJson(await requireSession(deps, session.id)), workflowId };
    if (outcomes) return { ...answer, cancelledBookings: outcomes };
    answerIsPending(reply);
    return { ...answer, cancelledBookings: null, pending: true };
  }

  api.get(
    '/api/sessions/:id/clients-to-book',
    {
      preHandler: requireRole('admin', 'trainer'),
      schema: {
        tags: ['booking'],
        summary: 'Find a client to book into this session',
        description:
          'Active clients matching q (name or email), at most 20, each with whether they have a credit to book with and ' +
          'whether they are already booked here. Trainers ask only about sessions they run, and see names, not balances or emails.',
        params: IdParams,
        querystring: Type.Object({ q: Type.Optional(Type.String({ maxLength: 200 })) }),
      },
    },
    async (request) => {
      const session = await requireSession(deps, request.params.id);
      assertRunsSession(request, session);
      const clients = await findClientsToBook(orm, {
        sessionId: session.id,
        q: request.query.q?.trim(),
        limit: 20,
        lowBalanceThreshold: settings.policies.lowBalanceThreshold,
      });
      const isAdmin = request.user.role === 'admin';
      return clients.map(({ email, availableSessions, lowBalance, ...client }) => ({
        ...client,
        hasCredit: availableSessions > 0,
        ...(isAdmin ? { email, availableSessions, lowBalance } : {}),
      }));
    },
  );

  api.post(
    '/api/sessions/book/:userId',
    {
      preHandler: [
        requireRole('admin', 'trainer', 'client'),
        rateLimit(orm, { name: 'booking', max: settings.rateLimits.bookingPerMinute, per: 'user' }),
      ],
      config: { idempotent: true },
      schema: {
        tags: ['booking'],
        summary: 'Book a client into a session (holds one credit)',
        description:
          'Runs book-to-deduct with Update-with-Start: the answer is the booking, or the rule that refused it. ' +
          'Admins may book a complimentary session, recorded as such, that holds no credit.',
        params: UserIdParams,
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            sessionId: Type.Integer({ minimum: 1 }),
            complimentary: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { userId } = request.params;
      assertSelfOrRole(request, userId, 'admin', 'trainer');
      const complimentary = request.body.complimentary === true;
      if (complimentary && request.user.role !== 'admin') {
        throw new HttpError(403, 'FORBIDDEN', 'Only an admin can book a complimentary session.');
      }
      const isTrainer = request.user.role === 'trainer';
      if (isTrainer) assertRunsSession(request, await requireSession(deps, request.body.sessionId));
      // Staff booking someone else: a deactivated client is not booked (a client booking itself passed the guard, so is active).
      if (userId !== currentUserId(request) && (await app.accountAccess(userId))?.active === false) {
        throw new HttpError(400, 'ACCOUNT_DEACTIVATED', 'This client is deactivated; reactivate them before booking.');
      }
      // Once the seats are gone a rush is answered from this read, without a workflow; the
      // booking's transaction still decides every seat that is left.
      if (await sessionFullFor(orm, request.body.sessionId, userId)) {
        metrics.bookings.inc({ outcome: 'refused', code: ErrorCode.SessionFull });
        throw new DomainError(ErrorCode.SessionFull, 'This session is full.');
      }
      const outcome = await commands
        .book({
          sessionId: request.body.sessionId,
          clientId: userId,
          actor: actorOf(request),
          complimentary,
          requestId: request.headers['idempotency-key'],
        })
        .catch((error: unknown) => {
          const known = toHttpError(error);
          metrics.bookings.inc({
            outcome: known?.statusCode === 503 ? 'pending' : known ? 'refused' : 'failed',
            code: known?.code ?? 'INTERNAL',
          });
          throw error;
        });
      metrics.bookings.inc({ outcome: 'booked', code: '' });
      return {
        message: 'Session booked successfully.',
        session: { id: outcome.sessionId, userId, status: outcome.status, sessionDate: outcome.startsAt, bookedAt: outcome.bookedAt },
        booking: { id: outcome.bookingId, creditState: outcome.creditState },
        // A trainer books into their own session but does not read the client's balance.
        ...(isTrainer ? {} : { availableSessions: outcome.availableAfter }),
      };
    },
  );

  api.post(
    '/api/sessions/:id/cancel',
    {
      preHandler: requireRole('admin', 'trainer', 'client'),
      config: { idempotent: true },
      schema: {
        tags: ['booking'],
        summary: "Cancel a client's booking",
        description:
          'In time the credit returns to its lot; later than the cancellation window it is forfeited, unless an admin waives it.',
        params: IdParams,
        headers: IdempotencyHeaders,
        body: Type.Optional(
          Type.Object(
            {
              userId: Type.Optional(Type.Integer({ minimum: 1 })),
              reason: Type.Optional(Type.String({ maxLength: 500 })),
              waive: Type.Optional(Type.Boolean()),
            },
            { additionalProperties: false },
          ),
        ),
      },
    },
    async (request) => {
      const session = await requireSession(deps, request.params.id);
      const body = request.body ?? {};
      const isClient = request.user.role === 'client';
      const clientId = isClient ? currentUserId(request) : body.userId;
      if (isClient && body.userId !== undefined && body.userId !== clientId) {
        throw new HttpError(403, 'FORBIDDEN', 'You can only cancel your own bookings.');
      }
      if (!isClient) assertRunsSession(request, session);
      const bookings = await liveBookings(orm, session.id, clientId);
      if (bookings.length > 1) throw new HttpError(400, 'USER_REQUIRED', 'Several clients are booked; say which one with userId.');
      const key = request.headers['idempotency-key'];
      // A retry whose first attempt cancelled but was never answered finds no live booking;
      // the booking's workflow still knows that cancel by its key and answers it.
      const booking =
        bookings[0] ?? (key && clientId !== undefined ? { clientId, workflowId: bookingWorkflowId(session.id, clientId) } : undefined);
      if (!booking) throw new HttpError(404, 'NO_BOOKING', 'There is no active booking to cancel for this session.');
      const result = await commands.cancel(booking.workflowId, { actor: actorOf(request), reason: body.reason, waive: body.waive }, key);
      return {
        sessionId: session.id,
        userId: booking.clientId,
        bookingId: result.bookingId,
        status: result.status,
        credit: result.credit,
        availableSessions: result.availableAfter,
      };
    },
  );

  for (const action of ['confirm', 'complete', 'no-show'] as const) {
    api.post(
      `/api/sessions/:id/${action}`,
      {
        preHandler: requireRole('admin', 'trainer'),
        schema: {
          tags: ['booking'],
          summary: `Mark bookings ${action === 'no-show' ? 'as no-shows' : `${action}d`}`,
          description: "Signals each booked client's workflow (or only userId's); the change is applied durably and answered 202.",
          params: IdParams,
          body: Type.Optional(Type.Object({ userId: Type.Optional(Type.Integer({ minimum: 1 })) }, { additionalProperties: false })),
        },
      },
      async (request, reply) => {
        const session = await requireSession(deps, request.params.id);
        assertRunsSession(request, session);
        const bookings = await liveBookings(orm, session.id, request.body?.userId);
        if (bookings.length === 0) throw new DomainError(ErrorCode.NotFound, 'There is no active booking for this session.');
        for (const booking of bookings) await commands.signal(booking.workflowId, action, actorOf(request));
        return reply.code(202).send({ sessionId: session.id, requested: action, bookingIds: bookings.map((booking) => booking.id) });
      },
    );
  }
}
