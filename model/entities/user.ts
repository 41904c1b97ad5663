import { defineEntity, type InferEntity } from '@mikro-orm/core';

const p = defineEntity.properties;

export const ROLES = ['admin', 'trainer', 'client'] as const;
export type Role = (typeof ROLES)[number];

export const User = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.integer().primary(),
    email: p.string(),
    passwordHash: p.string(),
    role: p.enum([...ROLES]),
    firstName: p.string(),
    lastName: p.string(),
    phone: p.string().nullable(),
    /** Cached balance: written only in the transaction that appends its ledger entry. */
    availableSessions: p.integer().default(0),
    heldSessions: p.integer().default(0),
    hasPurchasedBefore: p.boolean().default(false),
    stripeCustomerId: p.string().nullable(),
    /** Bumped by every change that must end existing sign-ins (role, deactivation, password). */
    tokenVersion: p.integer().default(0),
    active: p.boolean().default(true),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type User = InferEntity<typeof User>;
