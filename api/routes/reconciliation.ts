import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { recentRuns } from '../../model/reconciliation.js';
import type { RouteDependencies } from '../dependencies.js';
import { requireRole } from '../auth/guard.js';

/** What the books' checks found, for the console's dashboard and on-call; and a way to check now. */
export async function reconciliationRoutes(app: FastifyInstance, { orm, settings, commands }: RouteDependencies): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.get(
    '/api/admin/reconciliation',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['admin'],
        summary: 'The latest checks of every balance and purchase against the ledger and Stripe',
        description: 'Drift is reported with the client and purchase it concerns, never corrected by the check.',
        querystring: Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const runs = (await recentRuns(orm, request.query.limit ?? 10)).map((run) => ({
        id: run.id,
        startedAt: run.startedAt.toISOString(),
        finishedAt: run.finishedAt.toISOString(),
        clientsChecked: run.clientsChecked,
        purchasesChecked: run.purchasesChecked,
        stripeChecked: run.stripeChecked ?? null,
        driftCount: run.driftCount,
        drift: run.drift,
        workflowId: run.workflowId ?? null,
        runId: run.runId ?? null,
      }));
      return { latest: runs[0] ?? null, recent: runs, everyMinutes: settings.reconcileEveryMinutes };
    },
  );

  api.post(
    '/api/admin/reconciliation',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['admin'],
        summary: 'Check the books now',
        description: 'Starts the scheduled check at once (skipped while one is running); its result appears in GET.',
      },
    },
    async (_request, reply) => {
      await commands.reconcileNow();
      return reply.status(202).send({ accepted: true });
    },
  );
}
