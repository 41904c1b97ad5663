import type { FastifyInstance } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import {
  outstandingCredits,
  pendingPurchases,
  revenueSince,
  seatsBetween,
  sessionsBetween,
  studioPeriods,
  type Seats,
} from '../../model/dashboard.js';
import type { RouteDependencies } from '../dependencies.js';
import { currentUserId, requireRole } from '../auth/guard.js';

/** Booked seats over capacity, to two decimals; null when nothing is on the schedule. */
const fillRate = (seats: Seats) => ({
  ...seats,
  rate: seats.capacity === 0 ? null : Math.round((seats.booked / seats.capacity) * 100) / 100,
});

/** The studio as every signed-in screen needs it, and the dashboard's figures for the studio's day. */
export async function studioRoutes(app: FastifyInstance, { orm, settings }: RouteDependencies): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/studio',
    {
      preHandler: requireRole('admin', 'trainer', 'client'),
      schema: {
        tags: ['studio'],
        summary: "The studio's name, its time zone (every date a person reads is in it) and the policies in force",
      },
    },
    async () => ({ name: settings.studio.name, timeZone: settings.studio.timeZone, policies: settings.policies }),
  );

  api.get(
    '/api/admin/dashboard',
    {
      preHandler: requireRole('admin', 'trainer'),
      schema: {
        tags: ['admin'],
        summary: "The dashboard's figures for the studio's today, this week and last 30 days",
        description:
          'Periods follow STUDIO_TIME_ZONE. A trainer gets their own sessions and seats only: no revenue, liability or purchases.',
      },
    },
    async (request) => {
      const trainerId = request.user.role === 'trainer' ? currentUserId(request) : undefined;
      const periods = await studioPeriods(orm, settings.studio.timeZone);
      const [schedule, today, week] = await Promise.all([
        sessionsBetween(orm, periods.today, trainerId),
        seatsBetween(orm, periods.today, trainerId),
        seatsBetween(orm, periods.week, trainerId),
      ]);
      const figures = {
        timeZone: settings.studio.timeZone,
        periods,
        sessionsToday: today,
        fillRateThisWeek: fillRate(week),
        schedule,
      };
      if (trainerId !== undefined) return figures;
      const [revenue, outstanding, pending] = await Promise.all([
        revenueSince(orm, periods.last30Days.from),
        outstandingCredits(orm),
        pendingPurchases(orm),
      ]);
      return { ...figures, revenueLast30Days: revenue, outstandingCredits: outstanding, pendingPurchases: pending };
    },
  );
}
