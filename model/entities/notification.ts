import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { User } from './user.js';

const p = defineEntity.properties;

/** Outbox of messages to users, written in the transaction of the change it reports; a sender drains it. */
export const Notification = defineEntity({
  name: 'Notification',
  tableName: 'notifications',
  properties: {
    id: p.bigint('number').primary().generated('by default as identity'),
    user: p.manyToOne(User),
    kind: p.text(),
    payload: p.json<Record<string, unknown>>().defaultRaw(`'{}'::jsonb`),
    idempotencyKey: p.text().unique('notifications_idempotency_key_key'),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
    sentAt: p.datetime().nullable(),
  },
});
export type Notification = InferEntity<typeof Notification>;
