import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { createAccount, findAccountByEmail, publicUser, recordSignIn } from '../../model/accounts.js';
import { hashPassword, verifyPassword } from '../../model/passwords.js';
import type { ApiDependencies } from '../dependencies.js';
import { signToken } from '../auth/tokens.js';
import { HttpError } from '../errors.js';
import { rateLimit } from '../rate-limit.js';
import { AccountFields } from '../schemas.js';

const UserShape = Type.Object({
  id: Type.Integer(),
  email: Type.String(),
  role: Type.Union([Type.Literal('admin'), Type.Literal('trainer'), Type.Literal('client')]),
  firstName: Type.String(),
  lastName: Type.String(),
});
const TokenReply = Type.Object({ token: Type.String(), user: UserShape });

export async function authRoutes(app: FastifyInstance, { orm, settings }: ApiDependencies): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  // Unknown emails still pay for one hash, so response time does not reveal who has an account.
  const decoyHash = await hashPassword('decoy-password-for-timing');
  // Per address: these are the routes without a verified account to count against.
  const perAddress = rateLimit(orm, { name: 'login', max: settings.rateLimits.loginPerMinute, per: 'address' });

  api.post(
    '/api/auth/register',
    {
      schema: {
        tags: ['auth'],
        summary: 'Create a client account',
        body: Type.Object(
          {
            email: AccountFields.email,
            password: AccountFields.password,
            firstName: AccountFields.firstName,
            lastName: AccountFields.lastName,
            phone: Type.Optional(AccountFields.phone),
          },
          { additionalProperties: false },
        ),
        response: { 201: TokenReply },
      },
      preHandler: perAddress,
    },
    async (request, reply) => {
      const user = await createAccount(orm, { ...request.body, role: 'client' });
      const token = signToken(app, user);
      return reply.code(201).send({ token, user: publicUser(user) });
    },
  );

  api.post(
    '/api/auth/login',
    {
      schema: {
        tags: ['auth'],
        summary: 'Exchange email and password for a bearer token',
        body: Type.Object({ email: AccountFields.email, password: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: TokenReply },
      },
      preHandler: perAddress,
    },
    async (request) => {
      const user = await findAccountByEmail(orm, request.body.email);
      const valid = await verifyPassword(request.body.password, user?.passwordHash ?? decoyHash);
      if (!user || !valid) throw new HttpError(401, 'INVALID_CREDENTIALS', 'Email or password is incorrect.');
      if (!user.active)
        throw new HttpError(401, 'ACCOUNT_DEACTIVATED', 'This account has been deactivated; ask the studio to reactivate it.');
      await recordSignIn(orm, user.id);
      const token = signToken(app, user);
      return { token, user: publicUser(user) };
    },
  );
}
