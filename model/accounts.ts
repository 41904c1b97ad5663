import type { Orm } from './orm.js';
import { User, type Role } from './entities/user.js';
import { hashPassword } from './passwords.js';

export interface NewAccount {
  email: string;
  password: string;
  role: Role;
  firstName: string;
  lastName: string;
  phone?: string | null;
}

export interface PublicUser {
  id: number;
  email: string;
  role: Role;
  firstName: string;
  lastName: string;
}

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export function publicUser(user: User): PublicUser {
  return { id: user.id, email: user.email, role: user.role, firstName: user.firstName, lastName: user.lastName };
}

/** Creates an account; a taken email surfaces as the users_email_unique violation. */
export async function createAccount(orm: Orm, account: NewAccount): Promise<User> {
  const em = orm.em.fork();
  const user = em.create(User, {
    email: normalizeEmail(account.email),
    passwordHash: await hashPassword(account.password),
    role: account.role,
    firstName: account.firstName.trim(),
    lastName: account.lastName.trim(),
    phone: account.phone ?? null,
    availableSessions: 0,
    heldSessions: 0,
    hasPurchasedBefore: false,
    stripeCustomerId: null,
    createdAt: new Date(),
  });
  await em.flush();
  return user;
}

export async function findAccountByEmail(orm: Orm, email: string): Promise<User | null> {
  return orm.em.fork().findOne(User, { email: normalizeEmail(email) });
}

/** Creates the configured admin once (deploys run this with migrations); an existing account is left alone. */
export async function ensureAdmin(orm: Orm, admin: { email: string; password: string }): Promise<boolean> {
  if (await findAccountByEmail(orm, admin.email)) return false;
  await createAccount(orm, { email: admin.email, password: admin.password, role: 'admin', firstName: 'Studio', lastName: 'Admin' });
  return true;
}
