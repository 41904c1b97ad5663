import type { FastifyInstance } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { changeAccount, publicUser } from '../../model/accounts.js';
import type { RouteDependencies } from '../dependencies.js';
import { currentUserId, requireRole } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { IdParams } from '../schemas.js';

/** Admins manage who may do what; each change ends the account's existing sign-ins at once. */
export async function accountRoutes(app: FastifyInstance, { orm }: RouteDependencies): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();

  api.patch(
    '/api/admin/users/:id',
    {
      preHandler: requireRole('admin'),
      schema: {
        tags: ['admin'],
        summary: 'Deactivate or reactivate an account, change its role, or set a temporary password',
        description: 'Any change signs the account out everywhere: its existing tokens are refused from the next request on.',
        params: IdParams,
        body: Type.Object(
          {
            active: Type.Optional(Type.Boolean()),
            role: Type.Optional(Type.Union([Type.Literal('admin'), Type.Literal('trainer'), Type.Literal('client')])),
            password: Type.Optional(Type.String({ minLength: 8, maxLength: 200 })),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (request) => {
      const { id } = request.params;
      const self = id === currentUserId(request);
      // An admin locking themselves out would leave nobody to undo it.
      if (self && (request.body.active === false || (request.body.role !== undefined && request.body.role !== 'admin'))) {
        throw new HttpError(409, 'OWN_ACCOUNT', 'You cannot deactivate or demote your own account; ask another admin.');
      }
      const user = await changeAccount(orm, id, request.body);
      if (!user) throw new HttpError(404, 'NOT_FOUND', `No account ${id}.`);
      return { ...publicUser(user), active: user.active };
    },
  );
}
