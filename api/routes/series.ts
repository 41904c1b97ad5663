import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { bookingClients, findSessionView, isTrainer, seriesExists, seriesSessionsFrom } from '../../model/schedule.js';
import { actorOf } from '../actor.js';
import type { RouteDependencies } from '../dependencies.js';
import { requireRole } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { answerIsPending } from '../idempotency.js';
import { IdempotencyHeaders } from '../schemas.js';
import { sessionJson } from './sessions.js';

const SeriesParams = Type.Object({ seriesId: Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' }) });
const From = Type.String({
  format: 'date-time',
  description: 'The first session the change applies to starts at or after this moment; earlier ones stay as they are.',
});

/** A weekly series as one unit: edited or cancelled from a date on, each in a workflow. */
export async function seriesRoutes(app: FastifyInstance, deps: RouteDependencies): Promise<void> {
  const { orm, commands } = deps;
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  /** The sessions a change would apply to; a series that does not exist, or has none left from there, is refused. */
  async function sessionsToChange(seriesId: string, from: string) {
    if (!(await seriesExists(orm, seriesId))) throw new HttpError(404, 'NOT_FOUND', `Series ${seriesId} was not found.`);
    const sessions = await seriesSessionsFrom(orm, seriesId, new Date(from));
    if (sessions.length === 0) {
      throw new HttpError(409, 'NOTHING_TO_CHANGE', 'No session of this series from that date on can still change.');
    }
    return sessions;
  }

  api.patch(
    '/api/admin/series/:seriesId',
    {
      preHandler: requireRole('admin'),
      config: { idempotent: true },
      schema: {
        tags: ['schedule'],
        summary: 'Edit a weekly series from a date on: start time, trainer, duration or capacity',
        description:
          "startTime is a wall-clock time in the studio's zone, applied to each session's own day. All or nothing: one overlap " +
          'refuses the whole edit with 409. Booked clients keep their bookings, and their reminders follow the new time. ' +
          'Runs as the workflow series-edit-<seriesId>-<Idempotency-Key>.',
        params: SeriesParams,
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            from: From,
            startTime: Type.Optional(Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$', description: 'HH:MM, studio time' })),
            trainerId: Type.Optional(Type.Integer({ minimum: 1 })),
            durationMinutes: Type.Optional(Type.Integer({ minimum: 5, maximum: 1440 })),
            capacity: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { from, ...changes } = request.body;
      if (Object.keys(changes).length === 0) {
        throw new HttpError(400, 'VALIDATION_FAILED', 'Say what changes: startTime, trainerId, durationMinutes or capacity.');
      }
      const { seriesId } = request.params;
      const sessions = await sessionsToChange(seriesId, from);
      if (changes.trainerId !== undefined && !(await isTrainer(orm, changes.trainerId))) {
        throw new HttpError(400, 'INVALID_TRAINER', `User ${changes.trainerId} is not a trainer.`);
      }
      const outcome = await commands.editSeries(
        { seriesId, from, actor: actorOf(request), changes, sessionIds: sessions.map((session) => session.id) },
        request.headers['idempotency-key'],
      );
      const changed = await Promise.all(outcome.sessions.map((session) => findSessionView(orm, session.sessionId)));
      return {
        seriesId,
        workflowId: outcome.workflowId,
        sessions: changed.flatMap((session) => (session ? [sessionJson(session)] : [])),
        movedBookings: outcome.sessions.filter((session) => session.moved).reduce((sum, session) => sum + session.bookings.length, 0),
      };
    },
  );

  api.post(
    '/api/admin/series/:seriesId/cancel',
    {
      preHandler: requireRole('admin'),
      config: { idempotent: true },
      schema: {
        tags: ['schedule'],
        summary: 'Cancel a weekly series from a date on',
        description:
          "Each session is cancelled by its own session-cancel workflow, each booking through the booking's workflow with its " +
          'credit released (a studio cancel is never late). Answers who got a credit back, or pending: true when that takes ' +
          'longer than the request waits (the workflow series-cancel-<seriesId>-<Idempotency-Key> finishes it).',
        params: SeriesParams,
        headers: IdempotencyHeaders,
        body: Type.Object({ from: From, reason: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const { seriesId } = request.params;
      const key = request.headers['idempotency-key'];
      // The same key again, after its first answer was lost or was `pending`, joins that cancel
      // and answers how it ended, though its sessions are no longer there to change.
      const joining = key !== undefined && (await commands.seriesCancelStarted(seriesId, key));
      const sessions = joining ? [] : await sessionsToChange(seriesId, request.body.from);
      const { workflowId, outcome } = await commands.cancelSeries(
        {
          seriesId,
          from: request.body.from,
          actor: actorOf(request),
          reason: request.body.reason?.trim() || 'Series cancelled by the studio',
        },
        request.headers['idempotency-key'],
      );
      if (!outcome) {
        answerIsPending(reply);
        return { seriesId, workflowId, sessions: sessions.map(sessionJson), cancelledBookings: null, pending: true };
      }
      const clients = await bookingClients(
        orm,
        outcome.sessions.flatMap((session) => session.bookings.map((booking) => booking.bookingId)),
      );
      const cancelled = await Promise.all(outcome.sessions.map((session) => findSessionView(orm, session.sessionId)));
      return {
        seriesId,
        workflowId,
        sessions: cancelled.flatMap((session) => (session ? [sessionJson(session)] : [])),
        cancelledBookings: outcome.sessions.flatMap((session) =>
          session.bookings.map((booking) => ({
            sessionId: session.sessionId,
            bookingId: booking.bookingId,
            ...clients.get(booking.bookingId),
            status: booking.status,
            credit: booking.credit,
            availableSessions: booking.availableAfter,
          })),
        ),
      };
    },
  );
}
