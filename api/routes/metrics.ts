import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { RouteDependencies } from '../dependencies.js';
import { HttpError } from '../errors.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Prometheus scrapes /metrics. With METRICS_TOKEN set it must send that bearer token; without
 * one only this machine may read it (the socket's own address: a forwarded header cannot claim it).
 */
function allowScrape(request: FastifyRequest, token: string | undefined): void {
  if (token) {
    const header = request.headers.authorization ?? '';
    if (!header.startsWith('Bearer ') || !sameSecret(header.slice('Bearer '.length), token)) {
      throw new HttpError(401, 'UNAUTHORIZED', 'Send METRICS_TOKEN as a bearer token to read /metrics.');
    }
    return;
  }
  if (!LOOPBACK.has(request.socket.remoteAddress ?? '')) {
    throw new HttpError(403, 'FORBIDDEN', 'Set METRICS_TOKEN to read /metrics from another machine.');
  }
}

export async function metricsRoutes(app: FastifyInstance, { settings, metrics }: RouteDependencies): Promise<void> {
  app.get('/metrics', { schema: { hide: true } }, async (request, reply) => {
    allowScrape(request, settings.metricsToken);
    return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
}
