import '@fastify/jwt';
import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { AccountCheck } from '../../model/account-check.js';
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
  interface FastifyContextConfig {
    /**
     * A read-only route whose read checks the account in its own statement (`accountCheckOf`,
     * model/account-check.ts), sparing the guard's round trip. Whatever the handler does, the
     * answer does not go out before the account is checked (installAccountChecks).
     */
    accountCheckInRead?: boolean;
  }
}

const unauthenticated = () => new HttpError(401, 'UNAUTHENTICATED', 'Sign in first: this needs a valid bearer token.');

function assertTokenStands(claims: TokenClaims, account: AccountAccess | undefined): void {
  if (!account || !account.active || account.role !== claims.role || account.tokenVersion !== claims.ver) {
    throw new HttpError(401, 'SESSION_ENDED', 'This sign-in is no longer valid (the account changed); sign in again.');
  }
}

/** A check the route's read makes; `settled` once any answer was given to it. */
class ReadAccountCheck implements AccountCheck {
  settled = false;

  constructor(
    readonly userId: number,
    private readonly claims: TokenClaims,
  ) {}

  accept(account: AccountAccess | undefined): void {
    this.settled = true;
    assertTokenStands(this.claims, account);
  }
}

const checksInRead = new WeakMap<FastifyRequest, ReadAccountCheck>();

/** The account check this request's read is to make, when its route leaves it to the read. */
export function accountCheckOf(request: FastifyRequest): AccountCheck | undefined {
  const check = checksInRead.get(request);
  return check && !check.settled ? check : undefined;
}

/**
 * The account check a route left to its read and whose read did not make it (a refusal
 * before reading, a read that cannot carry it): made before the answer goes out, so the
 * answer becomes the 401.
 */
export function installAccountChecks(app: FastifyInstance): void {
  app.addHook('onSend', async (request, _reply, payload) => {
    const check = checksInRead.get(request);
    if (check && !check.settled) check.accept(await request.server.accountAccess(check.userId));
    return payload;
  });
}

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
  const userId = Number(request.user.sub);
  if (!Number.isSafeInteger(userId) || userId < 1) throw unauthenticated();
  if (request.routeOptions.config.accountCheckInRead) {
    checksInRead.set(request, new ReadAccountCheck(userId, request.user));
    return;
  }
  assertTokenStands(request.user, await request.server.accountAccess(userId));
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
