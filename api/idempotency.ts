import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { claimIdempotencyKey, recordIdempotentAnswer, type IdempotencyClaim } from '../model/idempotency-keys.js';
import type { Orm } from '../model/orm.js';
import { HttpError } from './errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * The route honours Idempotency-Key: the same request again replays its first answer.
     * Only on routes whose guard authenticates, since keys are kept per user.
     */
    idempotent?: boolean;
  }
}

const unsettled = new WeakSet<FastifyReply>();

/**
 * The answer says the work is still under way (200 with `pending: true`): it is not kept
 * for the Idempotency-Key, so the same request later runs again, joins the workflow the
 * first one started, and answers how it ended.
 */
export function answerIsPending(reply: FastifyReply): void {
  unsettled.add(reply);
}

/** JSON with sorted keys, so the same request hashes the same however its client ordered it. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    return `{${Object.keys(record)
      .sort()
      .map((name) => `${JSON.stringify(name)}:${canonical(record[name])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

function claimOf(request: FastifyRequest, key: string): IdempotencyClaim {
  const { params, query, body } = request;
  return {
    // Per route and per user: one user's key never reaches another's answer.
    scope: `${request.method} ${request.routeOptions.url} user:${request.user.sub}`,
    key,
    requestHash: createHash('sha256').update(canonical({ params, query, body })).digest('hex'),
  };
}

const asList = <T>(hooks: T | T[] | undefined): T[] => (hooks === undefined ? [] : Array.isArray(hooks) ? hooks : [hooks]);

/**
 * Idempotency-Key on the routes whose config says `idempotent: true`: after the
 * route's own guard has authenticated the caller, a key already answered for the same
 * request replays that answer (`Idempotent-Replayed: true`); a key used for another
 * request is refused with 422. Otherwise the handler runs, and its final answer (2xx or
 * a business 4xx) is kept; a 5xx, a 503 or a 200 pending answer is not, so a retry runs again, and
 * the workflow command underneath, keyed by the same key, joins the first attempt.
 */
export function installIdempotency(app: FastifyInstance, orm: Orm): void {
  const claims = new WeakMap<FastifyRequest, IdempotencyClaim>();

  async function replayOrClaim(request: FastifyRequest, reply: FastifyReply) {
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key.length === 0) return undefined;
    const claim = claimOf(request, key);
    const record = await claimIdempotencyKey(orm, claim);
    if (record.requestHash !== claim.requestHash) {
      throw new HttpError(
        422,
        'IDEMPOTENCY_KEY_REUSED',
        'This Idempotency-Key was already used for a different request; use a new key for a new request.',
      );
    }
    if (record.status === 'done') {
      return reply
        .code(record.responseStatus!)
        .header('idempotent-replayed', 'true')
        .type('application/json; charset=utf-8')
        .send(record.responseBody);
    }
    claims.set(request, claim);
    return undefined;
  }

  async function rememberAnswer(request: FastifyRequest, reply: FastifyReply, payload: unknown) {
    const claim = claims.get(request);
    claims.delete(request);
    if (claim && reply.statusCode >= 200 && reply.statusCode < 500 && !unsettled.has(reply) && typeof payload === 'string') {
      try {
        await recordIdempotentAnswer(orm, claim, { status: reply.statusCode, body: payload });
      } catch (error) {
        // The answer itself is right; unremembered, a repeat runs the command again and joins it.
        request.log.warn({ err: error, scope: claim.scope }, 'could not keep the answer of an Idempotency-Key');
      }
    }
    return payload;
  }

  app.addHook('onRoute', (route: RouteOptions) => {
    if (!route.config?.idempotent) return;
    // Route-level hooks run after the route's own guard, so the caller is known by now.
    route.preHandler = [...asList(route.preHandler), replayOrClaim] as RouteOptions['preHandler'];
    route.onSend = [...asList(route.onSend), rememberAnswer] as RouteOptions['onSend'];
  });
}
