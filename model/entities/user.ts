import { defineEntity, type InferEntity } from '@mikro-orm/core';

const p = defineEntity.properties;

export const ROLES = ['admin', 'trainer', 'client'] as const;
export type Role = (typeof ROLES)[number];

/** Emails are unique case-insensitively (an index on lower(email)); accounts store them lower-cased. */
export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.integer().primary().generated('by default as identity'),
    email: p.text(),
    passwordHash: p.text(),
    role: p.enum([...ROLES]),
    firstName: p.text().default(''),
    lastName: p.text().default(''),
    phone: p.text().nullable(),
    /** Cached balance: written only in the transaction that appends its ledger entry. */
    availableSessions: p.integer().default(0),
    heldSessions: p.integer().default(0),
    hasPurchasedBefore: p.boolean().default(false),
    stripeCustomerId: p.text().nullable().unique('users_stripe_customer_id_key'),
    /** Bumped by every change that must end existing sign-ins (role, deactivation, password). */
    tokenVersion: p.integer().default(0),
    active: p.boolean().default(true),
    lastSignedInAt: p.datetime().nullable(),
    /** The client's own choice: 24 h reminders, and nudges (credits expiring, low balance); receipts are always sent. */
    emailReminders: p.boolean().default(true),
    emailNudges: p.boolean().default(true),
    createdAt: p
      .datetime()
      .defaultRaw('now()')
      .onCreate(() => new Date()),
  },
});
export type User = InferEntity<typeof User>;
