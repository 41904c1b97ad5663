import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { lotExpiry } from '../../model/lots.js';
import { clientSummary } from '../../model/summary.js';
import { inTransaction } from '../../model/transaction.js';
import { listClients, listTrainers } from '../../model/schedule.js';
import { actorOf } from '../actor.js';
import type { RouteDependencies } from '../dependencies.js';
import { accountCheckOf, assertSelfOrRole, requireRole } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { balanceDrift, temporalAnswers } from '../health-checks.js';
import { IdempotencyHeaders, IdParams, SummaryShape, UserIdParams } from '../schemas.js';

/** The seed's credit endpoints, with the seed's shapes, now backed by the ledger and the allocation workflow. */
export async function creditRoutes(app: FastifyInstance, { orm, settings, commands }: RouteDependencies): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.post(
    '/api/sessions/add-to-user',
    {
      preHandler: requireRole('admin'),
      config: { idempotent: true },
      schema: {
        tags: ['credits'],
        summary: 'Grant (or, with a reason, remove) session credits',
        description: 'Runs the allocation workflow. The same Idempotency-Key twice grants once and answers the first result.',
        headers: IdempotencyHeaders,
        body: Type.Object(
          {
            userId: Type.Integer({ minimum: 1 }),
            sessions: Type.Integer({ minimum: -1000, maximum: 1000, not: { const: 0 } }),
            reason: Type.Optional(Type.String({ minLength: 1, maxLength: 500 })),
            expiresAt: Type.Optional(Type.String({ format: 'date-time' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const { userId, sessions, reason, expiresAt } = request.body;
      if (sessions < 0 && !reason?.trim()) {
        throw new HttpError(400, 'REASON_REQUIRED', "Removing sessions needs a reason; it is kept in the client's ledger.");
      }
      if (sessions < 0 && expiresAt) throw new HttpError(400, 'VALIDATION_FAILED', 'expiresAt applies only to grants.');
      const result = await commands.allocate({
        idempotencyKey: request.headers['idempotency-key'],
        clientId: userId,
        sessions,
        reason: reason?.trim() || 'Admin allocation',
        expiresAt: expiresAt ?? null,
        actor: actorOf(request),
      });
      return {
        success: true,
        message:
          sessions > 0
            ? `Added ${sessions} session${sessions === 1 ? '' : 's'}.`
            : `Removed ${-sessions} session${sessions === -1 ? '' : 's'}.`,
        data: {
          userId,
          sessions,
          availableSessions: result.balanceAfter,
          ledgerEntryId: result.ledgerEntryId,
          workflowId: result.workflowId,
        },
      };
    },
  );

  api.post(
    '/api/admin/lots/:id/extend',
    {
      preHandler: requireRole('admin'),
      config: { idempotent: true },
      schema: {
        tags: ['credits'],
        summary: "Move a credit lot's expiry later, with a reason kept in the client's ledger",
        description:
          "The lot's expiry workflow applies it and its timer follows. Refused (409) for a lot already expired, (400) for one that never expires or a date not later than the current one.",
        headers: IdempotencyHeaders,
        params: IdParams,
        body: Type.Object(
          {
            expiresAt: Type.String({ format: 'date-time' }),
            reason: Type.String({ minLength: 1, maxLength: 500, pattern: '\\S' }),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const lotId = request.params.id;
      // Checked here too, so a request for no lot or a lot that never expires starts no workflow.
      const lot = await inTransaction(orm, (sql) => lotExpiry(sql, lotId));
      if (!lot) throw new HttpError(404, 'NOT_FOUND', `Credit lot ${lotId} was not found.`);
      if (lot.expiresAt === null) throw new HttpError(400, 'INVALID_REQUEST', `Credit lot ${lotId} never expires.`);
      if (lot.expired) {
        throw new HttpError(409, 'CONFLICT', `Credit lot ${lotId} already expired at ${lot.expiresAt}; allocate new sessions instead.`);
      }
      const outcome = await commands.extendLot(
        lotId,
        { expiresAt: request.body.expiresAt, reason: request.body.reason.trim(), actor: actorOf(request) },
        request.headers['idempotency-key'],
      );
      return { success: true, message: `The lot now expires at ${outcome.expiresAt}.`, data: outcome };
    },
  );

  api.get(
    '/api/sessions/user-summary/:userId',
    {
      preHandler: requireRole('admin', 'trainer', 'client'),
      config: { accountCheckInRead: true },
      schema: {
        tags: ['credits'],
        summary: "A client's credit summary, read off the ledger",
        params: UserIdParams,
        response: { 200: Type.Object({ success: Type.Literal(true), data: SummaryShape }) },
      },
    },
    async (request) => {
      assertSelfOrRole(request, request.params.userId, 'admin');
      const summary = await clientSummary(orm, request.params.userId, accountCheckOf(request));
      if (!summary) throw new HttpError(404, 'NOT_FOUND', `Client ${request.params.userId} was not found.`);
      return { success: true as const, data: summary };
    },
  );

  api.get(
    '/api/sessions/clients',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['credits'],
        summary: "Clients as the seed's front end reads them: a bare array with balances, purchases, use and last session",
      },
    },
    async () =>
      (await listClients(orm, settings.policies.lowBalanceThreshold)).map((client) => ({
        ...client,
        lastSessionDate: client.lastSessionDate?.toISOString() ?? null,
      })),
  );

  api.get(
    '/api/sessions/trainers',
    {
      preHandler: requireRole('admin'),
      schema: { tags: ['credits'], summary: 'Trainers' },
    },
    async () => ({
      success: true,
      data: await listTrainers(orm),
    }),
  );

  api.get(
    '/api/sessions/allocation-health',
    {
      preHandler: requireRole('admin'),
      schema: { tags: ['credits'], summary: 'Health of the database, Temporal and Stripe links, and ledger drift' },
    },
    async () => {
      const [drift, temporal] = await Promise.all([balanceDrift(orm), temporalAnswers(commands)]);
      return {
        success: true,
        data: {
          // The drift count is the database's answer: "ok" only when it read the users and the ledger just now.
          database: drift.status,
          temporal: temporal.status,
          stripe: settings.stripe.secretKey ? 'live keys configured' : 'simulator (no STRIPE_SECRET_KEY)',
          clientsWithBalanceDrift: drift.value,
          policies: settings.policies,
        },
      };
    },
  );
}
