import type { FastifyInstance } from 'fastify';
import type { ApiDependencies } from '../dependencies.js';

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Liveness and readiness for load balancers and orchestrators. */
export async function healthRoutes(app: FastifyInstance, { orm, temporal }: ApiDependencies): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));

  app.get('/readyz', { schema: { hide: true } }, async (_request, reply) => {
    const checks = await Promise.all([
      withTimeout(orm.em.fork().execute('select 1'), 2_000).then(() => 'ok', (error: Error) => `unreachable: ${error.message}`),
      withTimeout(temporal.connection.workflowService.getSystemInfo({}), 2_000).then(() => 'ok', (error: Error) => `unreachable: ${error.message}`),
    ]);
    const [database, temporalStatus] = checks;
    const ready = checks.every((check) => check === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', database, temporal: temporalStatus });
  });
}
