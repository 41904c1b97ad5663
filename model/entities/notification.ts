import { defineEntity, type InferEntity } from '@mikro-orm/core';

const p = defineEntity.properties;

/** Outbox of messages to clients (reminders, expiry notices); a sender drains it later. */
export const Notification = defineEntity({
  name: 'Notification',
  tableName: 'notifications',
  properties: {
    id: p.bigint('number').primary(),
    userId: p.integer(),
    kind: p.string(),
    payload: p.json<Record<string, unknown>>(),
    idempotencyKey: p.string(),
    createdAt: p.datetime().onCreate(() => new Date()),
    sentAt: p.datetime().nullable(),
  },
});
export type Notification = InferEntity<typeof Notification>;
