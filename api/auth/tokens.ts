import type { FastifyInstance } from 'fastify';
import type { Role } from '../../model/entities/user.js';

/** The one way a bearer token is made: it names the account, its role and the account's token version. */
export function signToken(app: FastifyInstance, user: { id: number; role: Role; tokenVersion: number }): string {
  return app.jwt.sign({ sub: String(user.id), role: user.role, ver: user.tokenVersion });
}
