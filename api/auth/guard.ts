import '@fastify/jwt';
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AccountAccess } from '../../model/accounts.js';
import type { Role } from '../../model/entities/user.js';
import { HttpError } from '../errors.js';

export interface TokenClaims {
  sub: string;
  role: Role;
  /** The account's token version when the token was signed; a later change of the account ends it. */
  ver: number;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims;
    user: TokenClaims;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The account as it is now, read on every authenticated request (see app.ts). */
    accountAccess(userId: number): Promise<AccountAccess | undefined>;
  }
}

const unauthenticated = () => new HttpError(401, 'UNAUTHENTICATED', 'Sign in first: this needs a valid bearer token.');

/**
 * Rejects a request without a valid bearer token (401), and a token whose account was
 * deactivated, re-roled or given a new password since it was signed: those end at once.
 */
export async function authenticate(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
  try {
    await request.jwtVerify();
  } catch {
    throw unauthenticated();
  }
  const { sub, role, ver } = request.user;
  const userId = Number(sub);
  if (!Number.isSafeInteger(userId) || userId < 1) throw unauthenticated();
  const account = await request.server.accountAccess(userId);
  if (!account || !account.active || account.role !== role || account.tokenVersion !== ver) {
    throw new HttpError(401, 'SESSION_ENDED', 'This sign-in is no longer valid (the account changed); sign in again.');
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
