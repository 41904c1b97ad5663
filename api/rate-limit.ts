import type { FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Orm } from '../model/orm.js';
import { countHit, forgetWindowsBefore } from '../model/rate-limits.js';
import { HttpError } from './errors.js';

export interface RateLimit {
  /** Names the bucket family: login, booking, checkout. */
  name: string;
  max: number;
  windowMs?: number;
  /**
   * `user`: the verified account (put the limit after authentication), so nobody can spend
   * another user's allowance with a made-up token; `address`: the client's address as the
   * configured proxies report it (TRUST_PROXY), never as a request header claims.
   */
  per: 'user' | 'address';
}

const SWEEP_EVERY_MS = 60_000;
let lastSweep = 0;

function keyOf(request: FastifyRequest, per: RateLimit['per']): string {
  if (per === 'user' && request.user?.sub) return `user:${request.user.sub}`;
  return `ip:${request.ip}`;
}

/**
 * A fixed-window limit counted in PostgreSQL, so every API instance shares one count.
 * Only requests that reach it count: validation failures and refused tokens never do.
 */
export function rateLimit(orm: Orm, limit: RateLimit): preHandlerAsyncHookHandler {
  const windowMs = limit.windowMs ?? 60_000;
  return async function rateLimited(request, reply) {
    const now = Date.now();
    const windowStart = Math.floor(now / windowMs) * windowMs;
    const hits = await countHit(orm, `${limit.name}:${keyOf(request, limit.per)}`, new Date(windowStart));
    if (now - lastSweep > SWEEP_EVERY_MS) {
      lastSweep = now;
      forgetWindowsBefore(orm, new Date(now - 60 * 60_000)).catch((error: Error) =>
        request.log.warn({ err: error }, 'rate-limit sweep failed'),
      );
    }
    reply.header('x-ratelimit-limit', limit.max);
    reply.header('x-ratelimit-remaining', Math.max(0, limit.max - hits));
    if (hits > limit.max) {
      const retryAfter = Math.max(1, Math.ceil((windowStart + windowMs - now) / 1000));
      reply.header('retry-after', retryAfter);
      throw new HttpError(429, 'RATE_LIMITED', `Too many requests; try again in ${retryAfter} s.`);
    }
  };
}
