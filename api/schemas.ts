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
