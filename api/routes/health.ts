import type { FastifyInstance } from 'fastify';
import { firstSettled } from '../temporal-outage.js';
import type { RouteDependencies } from '../dependencies.js';

const CHECK_MS = 2_000;

/** Liveness and readiness for load balancers and orchestrators. */
export async function healthRoutes(app: FastifyInstance, { orm, commands }: RouteDependencies): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const unanswered = async (): Promise<never> => {
      throw new Error(`no answer in ${CHECK_MS} ms`);
    };
    const checks = await Promise.all([
      firstSettled(orm.em.fork().execute('select 1'), CHECK_MS, unanswered).then(
        () => 'ok',
        (error: Error) => `unreachable: ${error.message}`,
      ),
      commands.ping().then(
        () => 'ok',
        (error: Error) => `unreachable: ${error.message}`,
      ),
    ]);
    const [database, temporal] = checks;
    const ready = checks.every((check) => check === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', database, temporal });
  });
}
