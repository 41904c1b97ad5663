import type { FastifyInstance } from 'fastify';
import { withRequestId } from '../logs/request-ids.js';

/** Sent back on every answer, and honoured from the caller when it is short and safe (logs/request-ids.ts). */
export const REQUEST_ID_HEADER = 'x-request-id';

/**
 * Every request has an id (`request.id`, `reqId` in its log lines): the caller's
 * `x-request-id` or a new one, echoed in the answer. Its async work runs under it, so the
 * workflow commands it makes log it and hand it to Temporal without any route passing it
 * (Fastify parses the body in the request's async context, so the id holds in the handler).
 */
export function installRequestIds(app: FastifyInstance): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header(REQUEST_ID_HEADER, request.id);
    withRequestId(request.id, done);
  });
}
