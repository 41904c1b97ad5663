import { Type } from '@fastify/type-provider-typebox';

/** Shapes shared by several route modules, so the OpenAPI document names each once. */
export const IdParams = Type.Object({ id: Type.Integer({ minimum: 1 }) });
export const UserIdParams = Type.Object({ userId: Type.Integer({ minimum: 1 }) });

export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(Type.String({ minLength: 1, maxLength: 200, pattern: '^[A-Za-z0-9._:-]+$' })),
});

export const SummaryShape = Type.Object({
  userId: Type.Integer(),
  available: Type.Integer(),
  scheduled: Type.Integer(),
  completed: Type.Integer(),
  cancelled: Type.Integer(),
  total: Type.Integer(),
});

/** An account's fields as every form that writes one takes them (register, the Staff page, walk-in clients). */
export const AccountFields = {
  email: Type.String({ format: 'email', maxLength: 254 }),
  password: Type.String({ minLength: 8, maxLength: 200 }),
  firstName: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
  lastName: Type.String({ minLength: 1, maxLength: 100, pattern: '\\S' }),
  phone: Type.String({ maxLength: 40 }),
};
