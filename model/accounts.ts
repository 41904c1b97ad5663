import type { Orm } from './orm.js';
import { User, type Role } from './entities/user.js';
import { hashPassword, verifyPassword } from './passwords.js';

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
    tokenVersion: 0,
    active: true,
    createdAt: new Date(),
  });
  await em.flush();
  return user;
}

export async function findAccountByEmail(orm: Orm, email: string): Promise<User | null> {
  return orm.em.fork().findOne(User, { email: normalizeEmail(email) });
}

/**
 * The configured admin: created when missing, and its password set to `admin.password`
 * when it no longer matches, so changing ADMIN_PASSWORD and migrating again rotates it
 * (a password set in the console lasts until the next deploy, which sets ADMIN_PASSWORD again).
 */
export async function ensureAdmin(
  orm: Orm,
  admin: { email: string; password: string },
): Promise<'created' | 'password updated' | 'unchanged'> {
  const existing = await findAccountByEmail(orm, admin.email);
  if (!existing) {
    await createAccount(orm, { email: admin.email, password: admin.password, role: 'admin', firstName: 'Studio', lastName: 'Admin' });
    return 'created';
  }
  if (await verifyPassword(admin.password, existing.passwordHash)) return 'unchanged';
  // As any password change: the account's existing sign-ins end.
  await changeAccount(orm, existing.id, { password: admin.password });
  return 'password updated';
}

/** What a token is checked against on every request: the account as it is now. */
export interface AccountAccess {
  role: Role;
  tokenVersion: number;
  active: boolean;
}

export async function accountAccess(orm: Orm, userId: number): Promise<AccountAccess | undefined> {
  const user = await orm.em.fork().findOne(User, { id: userId }, { fields: ['role', 'tokenVersion', 'active'] });
  return user ? { role: user.role, tokenVersion: user.tokenVersion, active: user.active } : undefined;
}

export interface AccountChange {
  role?: Role | undefined;
  active?: boolean | undefined;
  password?: string | undefined;
}

/**
 * Changes what an account may do. Every change here ends the account's existing sign-ins
 * (its token version moves), so a demoted or deactivated user is refused on the next request.
 */
export async function changeAccount(orm: Orm, userId: number, change: AccountChange): Promise<User | null> {
  const em = orm.em.fork();
  const user = await em.findOne(User, { id: userId });
  if (!user) return null;
  if (change.role !== undefined) user.role = change.role;
  if (change.active !== undefined) user.active = change.active;
  if (change.password !== undefined) user.passwordHash = await hashPassword(change.password);
  user.tokenVersion += 1;
  await em.flush();
  return user;
}
