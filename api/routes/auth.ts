import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createAccount, findAccountByEmail, publicUser } from '../../model/accounts.js';
import { hashPassword, verifyPassword } from '../../model/passwords.js';
import type { ApiDependencies } from '../app.js';
import { HttpError } from '../errors.js';

const UserShape = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  role: Type.Union([Type.Literal('admin'), Type.Literal('trainer'), Type.Literal('client')]),
  firstName: Type.String(),
  lastName: Type.String(),
});
const TokenReply = Type.Object({ token: Type.String(), user: UserShape });
const Email = Type.String({ format: 'email', maxLength: 254 });

export async function authRoutes(app: FastifyInstance, { orm, settings }: ApiDependencies): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  // Unknown emails still pay for one hash, so response time does not reveal who has an account.
  const decoyHash = await hashPassword('decoy-password-for-timing');

  api.post('/api/auth/register', {
    schema: {
      tags: ['auth'],
      summary: 'Create a client account',
      body: Type.Object({
        email: Email,
        password: Type.String({ minLength: 8, maxLength: 200 }),
        firstName: Type.String({ minLength: 1, maxLength: 100 }),
        lastName: Type.String({ minLength: 1, maxLength: 100 }),
        phone: Type.Optional(Type.String({ maxLength: 40 })),
      }, { additionalProperties: false }),
      response: { 201: TokenReply },
    },
    config: { rateLimit: { max: settings.rateLimits.loginPerMinute, timeWindow: '1 minute' } },
  }, async (request, reply) => {
    const user = await createAccount(orm, { ...request.body, role: 'client' });
    const token = app.jwt.sign({ sub: String(user.id), role: user.role });
    return reply.code(201).send({ token, user: publicUser(user) });
  });

  api.post('/api/auth/login', {
    schema: {
      tags: ['auth'],
      summary: 'Exchange email and password for a bearer token',
      body: Type.Object({ email: Email, password: Type.String({ minLength: 1, maxLength: 200 }) }),
      response: { 200: TokenReply },
    },
    config: { rateLimit: { max: settings.rateLimits.loginPerMinute, timeWindow: '1 minute' } },
  }, async (request) => {
    const user = await findAccountByEmail(orm, request.body.email);
    const valid = await verifyPassword(request.body.password, user?.passwordHash ?? decoyHash);
    if (!user || !valid) throw new HttpError(401, 'INVALID_CREDENTIALS', 'Email or password is incorrect.');
    const token = app.jwt.sign({ sub: String(user.id), role: user.role });
    return { token, user: publicUser(user) };
  });
}
