import { defineEntity, type InferEntity } from '@mikro-orm/core';
import { User } from './user.js';

const p = defineEntity.properties;

export const NOTIFICATION_STATES = ['pending', 'sent', 'skipped', 'failed'] as const;
export type NotificationState = (typeof NOTIFICATION_STATES)[number];

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
    /** pending → sent, skipped (the client opted out) or failed (the server refused it for good). */
    state: p.enum([...NOTIFICATION_STATES]).default('pending'),
    attempts: p.integer().default(0),
    lastError: p.text().nullable(),
    lastAttemptAt: p.datetime().nullable(),
    /** The subject as sent, for the console. */
    subject: p.text().nullable(),
    sentAt: p.datetime().nullable(),
  },
});
export type Notification = InferEntity<typeof Notification>;
