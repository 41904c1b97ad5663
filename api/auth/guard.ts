import '@fastify/jwt';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Role } from '../../model/entities/user.js';
import { HttpError } from '../errors.js';

export interface TokenClaims {
  sub: string;
  role: Role;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims;
    user: TokenClaims;
  }
}

/** Rejects a request without a valid bearer token (401). */
export async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  try {
    await request.jwtVerify();
  } catch {
    throw new HttpError(401, 'UNAUTHENTICATED', 'Sign in first: this needs a valid bearer token.');
  }
}

/** Authenticates, then requires one of the roles (403 otherwise). */
export function requireRole(...roles: Role[]): preHandlerAsyncHookHandler {
  return async function roleGuard(request, reply) {
    await authenticate(request, reply);
    if (!roles.includes(request.user.role)) {
      throw new HttpError(403, 'FORBIDDEN', `This needs the ${roles.join(' or ')} role.`);
    }
  };
}

export function currentUserId(request: FastifyRequest): number {
  return Number(request.user.sub);
}

/**
 * Ownership: a client acts only for itself; the listed staff roles act for anyone.
 * Call after authentication with the user id the request is about.
 */
export function assertSelfOrRole(request: FastifyRequest, userId: number, ...staff: Role[]): void {
  if (currentUserId(request) === userId) return;
  if (staff.includes(request.user.role)) return;
  throw new HttpError(403, 'FORBIDDEN', 'You can only do this for your own account.');
}
