import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { changeAccount, createAccount, publicUser, type AccountChange } from '../../model/accounts.js';
import { clientsPage, STAFF_ROLES, staffRow } from '../../model/admin-queries.js';
import type { Role, User } from '../../model/entities/user.js';
import { generateTemporaryPassword } from '../../model/passwords.js';
import type { RouteDependencies } from '../dependencies.js';
import { currentUserId, requireRole } from '../auth/guard.js';
import { HttpError } from '../errors.js';
import { AccountFields, IdParams } from '../schemas.js';

const RoleField = Type.Union([Type.Literal('admin'), Type.Literal('trainer'), Type.Literal('client')]);
const StaffRoleField = Type.Union(STAFF_ROLES.map((role) => Type.Literal(role)));
// A type array, not anyOf: the console clears a phone by sending null.
const PhoneField = Type.Unsafe<string | null>({ type: ['string', 'null'], maxLength: 40 });

const ProfileFields = {
  email: AccountFields.email,
  firstName: AccountFields.firstName,
  lastName: AccountFields.lastName,
  phone: Type.Optional(PhoneField),
};
/** An edit sends only what changed. */
const ProfileEdit = {
  email: Type.Optional(ProfileFields.email),
  firstName: Type.Optional(ProfileFields.firstName),
  lastName: Type.Optional(ProfileFields.lastName),
  phone: ProfileFields.phone,
};
const TemporaryPasswordField = Type.Optional({
  ...AccountFields.password,
  description: 'The temporary password to set; leave it out and one is generated and answered once.',
});

/** An admin locking themselves out would leave nobody to undo it (the last-admin rule in the model covers the rest). */
function assertNotOwnLockOut(request: FastifyRequest, userId: number, change: AccountChange): void {
  if (userId !== currentUserId(request)) return;
  if (change.active === false || (change.role !== undefined && change.role !== 'admin')) {
    throw new HttpError(409, 'OWN_ACCOUNT', 'You cannot deactivate or demote your own account; ask another admin.');
  }
}

const notFound = (id: number, what = 'account') => new HttpError(404, 'NOT_FOUND', `No ${what} ${id}.`);

/**
 * Admins manage who may do what. A change of role, active state or password ends the
 * account's existing sign-ins at once (guard.ts checks the token version on every request);
 * the studio always keeps one active admin. Passwords set here are temporary: given by the
 * admin, or generated and answered once, never stored but as a hash.
 */
export async function accountRoutes(app: FastifyInstance, { orm, settings }: RouteDependencies): Promise<void> {
  const api = app.withTypeProvider<TypeBoxTypeProvider>();
  const admin = requireRole('admin');
  const tags = ['accounts'];

  /** The password to set, and what to answer about it: a generated one is shown once; a given one never echoed. */
  const temporaryPassword = (given: string | undefined) => {
    const password = given ?? generateTemporaryPassword();
    return { password, answer: given === undefined ? { temporaryPassword: password } : {} };
  };
  const clientRecord = async (id: number) => {
    const { rows } = await clientsPage(
      orm,
      { filter: { id: [id] }, sort: { field: 'id', order: 'ASC' }, offset: 0, limit: 1 },
      settings.policies.lowBalanceThreshold,
    );
    if (!rows[0]) throw notFound(id, 'client');
    return rows[0];
  };
  const accountJson = (user: User) => ({ ...publicUser(user), phone: user.phone ?? null, active: user.active });

  api.post(
    '/api/admin/staff',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Create a trainer or an admin',
        description: 'Answers the new account; a generated temporary password is in temporaryPassword, shown this once.',
        body: Type.Object({ ...ProfileFields, role: StaffRoleField, password: TemporaryPasswordField }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const { password, answer } = temporaryPassword(request.body.password);
      const user = await createAccount(orm, { ...request.body, password });
      return reply.code(201).send({ ...staffRow(user), ...answer });
    },
  );

  api.put(
    '/api/admin/staff/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: "Edit a trainer's or an admin's profile and role",
        description:
          'A changed role ends their sign-ins at once; a name, email or phone edit does not. ' +
          'The last active admin, and your own account, cannot be demoted (409).',
        params: IdParams,
        body: Type.Object({ ...ProfileEdit, role: Type.Optional(StaffRoleField) }, { additionalProperties: false, minProperties: 1 }),
      },
    },
    async (request) => {
      const { id } = request.params;
      assertNotOwnLockOut(request, id, request.body);
      const user = await changeAccount(orm, id, request.body, STAFF_ROLES);
      if (!user) throw notFound(id, 'staff member');
      return staffRow(user);
    },
  );

  api.post(
    '/api/admin/clients',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Create a walk-in client',
        description:
          'Answers the client as the clients list shows it; a generated temporary password is in temporaryPassword, shown this once.',
        body: Type.Object({ ...ProfileFields, password: TemporaryPasswordField }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const { password, answer } = temporaryPassword(request.body.password);
      const user = await createAccount(orm, { ...request.body, password, role: 'client' });
      return reply.code(201).send({ ...(await clientRecord(user.id)), ...answer });
    },
  );

  api.put(
    '/api/admin/clients/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: "Edit a client's profile",
        params: IdParams,
        body: Type.Object(ProfileEdit, { additionalProperties: false, minProperties: 1 }),
      },
    },
    async (request) => {
      const { id } = request.params;
      const clientOnly: readonly Role[] = ['client'];
      if (!(await changeAccount(orm, id, request.body, clientOnly))) throw notFound(id, 'client');
      return clientRecord(id);
    },
  );

  api.patch(
    '/api/admin/users/:id',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Deactivate or reactivate an account, change its role, or set a temporary password',
        description:
          'Any change signs the account out everywhere: its existing tokens are refused from the next request on. ' +
          'The last active admin, and your own account, cannot be deactivated or demoted (409).',
        params: IdParams,
        body: Type.Object(
          {
            active: Type.Optional(Type.Boolean()),
            role: Type.Optional(RoleField),
            password: Type.Optional(AccountFields.password),
          },
          { additionalProperties: false, minProperties: 1 },
        ),
      },
    },
    async (request) => {
      const { id } = request.params;
      assertNotOwnLockOut(request, id, request.body);
      const user = await changeAccount(orm, id, request.body);
      if (!user) throw notFound(id);
      return accountJson(user);
    },
  );

  api.post(
    '/api/admin/users/:id/temporary-password',
    {
      preHandler: admin,
      schema: {
        tags,
        summary: 'Set a temporary password',
        description:
          "Sets the given password, or (with {}) generates one and answers it this once in temporaryPassword. The account's existing sign-ins end.",
        params: IdParams,
        body: Type.Object({ password: TemporaryPasswordField }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const { id } = request.params;
      const { password, answer } = temporaryPassword(request.body.password);
      const user = await changeAccount(orm, id, { password });
      if (!user) throw notFound(id);
      return { ...accountJson(user), ...answer };
    },
  );
}
