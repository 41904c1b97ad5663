import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { RouteDependencies } from '../dependencies.js';
import { currentUserId, requireRole } from '../auth/guard.js';
import { EventHub } from '../live/event-hub.js';

/** A change id as Last-Event-ID carries it back: a positive integer JavaScript holds exactly. */
const EventsHeaders = Type.Object({
  'last-event-id': Type.Optional(Type.String({ pattern: '^(0|[1-9][0-9]{0,14})$', maxLength: 15 })),
});

/**
 * GET /api/events: Server-Sent Events of every committed change the caller may see, fed by
 * PostgreSQL LISTEN/NOTIFY (api/live/event-hub.ts), so one instance's stream carries the
 * changes made through every other instance and every worker.
 */
export async function eventRoutes(app: FastifyInstance, { orm, settings }: RouteDependencies): Promise<void> {
  const hub = new EventHub(orm, settings.events, app.log);
  app.addHook('onReady', () => hub.start());
  // Before the server waits for its requests: an open stream would otherwise never finish.
  app.addHook('preClose', () => hub.close());

  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/events',
    {
      // A HEAD would open a stream whose body Fastify then drains unseen, holding a slot until shutdown.
      exposeHeadRoute: false,
      preHandler: requireRole('admin', 'trainer', 'client'),
      schema: {
        tags: ['events'],
        summary: 'Live changes (Server-Sent Events)',
        description:
          'A text/event-stream: `ready` once caught up (its id is the position to resume from), then one `change` per ' +
          'committed change the caller may see (`{ id, resource, recordId, clientId, trainerId, sessionId, createdAt }`; ' +
          'admins see all, a trainer their own sessions, a client their own), `: heartbeat` comments, `reset` when a ' +
          'resume is too far behind (reload everything), `ended` when the sign-in stops being valid. Send `Last-Event-ID` ' +
          'to resume after a drop. The bearer token goes in the Authorization header, never the URL.',
        headers: EventsHeaders,
        produces: ['text/event-stream'],
      },
    },
    async (request, reply) => {
      const lastEventId = request.headers['last-event-id'];
      const { exp } = request.user as { exp?: number };
      const body = await hub.open(
        {
          userId: currentUserId(request),
          role: request.user.role,
          tokenVersion: request.user.ver,
          expiresAt: exp === undefined ? undefined : exp * 1000,
        },
        lastEventId === undefined ? undefined : Number(lastEventId),
      );
      return reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache, no-transform')
        .header('x-accel-buffering', 'no')
        .send(body);
    },
  );
}
