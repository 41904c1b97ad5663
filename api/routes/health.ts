import type { FastifyInstance } from 'fastify';
import type { RouteDependencies } from '../dependencies.js';
import { databaseAnswers, temporalAnswers } from '../health-checks.js';

/** Liveness and readiness for load balancers and orchestrators. */
export async function healthRoutes(app: FastifyInstance, { orm, commands }: RouteDependencies): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const [database, temporal] = (await Promise.all([databaseAnswers(orm), temporalAnswers(commands)])).map((check) => check.status);
    const ready = database === 'ok' && temporal === 'ok';
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', database, temporal });
  });
}
