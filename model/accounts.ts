import { LockMode } from '@mikro-orm/core';
import type { Orm } from './orm.js';
import { ROLES, User, type Role } from './entities/user.js';
import { DomainError, ErrorCode } from './errors.js';
import { hashPassword, verifyPassword } from './passwords.js';
import { PREPARED, query } from './transaction.js';

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

/** Creates an account; a taken email surfaces as the users_email_unique violation (409 on the email field). */
export async function createAccount(orm: Orm, account: NewAccount): Promise<User> {
  const em = orm.em.fork();
  const user = em.create(User, {
    email: normalizeEmail(account.email),
    passwordHash: await hashPassword(account.password),
    role: account.role,
    firstName: account.firstName.trim(),
    lastName: account.lastName.trim(),
    phone: account.phone?.trim() || null,
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

/**
 * Every authenticated request asks this, so it is one statement on a pooled connection with
 * no entity to hydrate: through the ORM (fork, query builder, identity map) it cost about
 * four times the CPU (bench/reads.ts, README's Performance).
 */
export async function accountAccess(orm: Orm, userId: number): Promise<AccountAccess | undefined> {
  const [row] = await query<{ role: Role; tokenVersion: number; active: boolean }>(
    orm,
    `select role, token_version as "tokenVersion", active from users where id = ?`,
    [userId],
    PREPARED,
  );
  return row ? { role: row.role, tokenVersion: row.tokenVersion, active: row.active } : undefined;
}

export interface AccountChange {
  role?: Role | undefined;
  active?: boolean | undefined;
  password?: string | undefined;
  email?: string | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  /** null clears it. */
  phone?: string | null | undefined;
}

/**
 * Changes an account. A change of role, of active state or of password ends the account's
 * existing sign-ins (its token version moves), so a demoted or deactivated user is refused
 * on the next request; a profile edit (name, email, phone) leaves them signed in.
 *
 * The studio always keeps one active admin: demoting or deactivating the last one is
 * refused. The active admins are locked first, in id order, so two admins removing each
 * other at the same moment cannot both succeed (nor deadlock).
 *
 * `roles` confines the change to accounts holding one of them (the Staff page edits staff,
 * the client page clients): another account is answered as not found.
 */
export async function changeAccount(orm: Orm, userId: number, change: AccountChange, roles: readonly Role[] = ROLES): Promise<User | null> {
  // Hashed before the transaction, so no row stays locked for the ~50 ms scrypt takes.
  const passwordHash = change.password === undefined ? undefined : await hashPassword(change.password);
  return orm.em.fork().transactional(async (em) => {
    const accessChange = change.role !== undefined || change.active !== undefined;
    const activeAdmins = accessChange
      ? await em.find(User, { role: 'admin', active: true }, { lockMode: LockMode.PESSIMISTIC_WRITE, orderBy: { id: 'asc' } })
      : [];
    const user = await em.findOne(User, { id: userId }, { lockMode: LockMode.PESSIMISTIC_WRITE });
    if (!user || !roles.includes(user.role)) return null;
    const endsAdmin = user.role === 'admin' && user.active && (change.active === false || (change.role ?? 'admin') !== 'admin');
    if (endsAdmin && !activeAdmins.some((admin) => admin.id !== user.id)) {
      throw new DomainError(
        ErrorCode.LastAdmin,
        'This is the last active admin: make another admin first, or the studio would be locked out.',
      );
    }
    const endsSignIns =
      (change.role !== undefined && change.role !== user.role) ||
      (change.active !== undefined && change.active !== user.active) ||
      passwordHash !== undefined;
    if (change.role !== undefined) user.role = change.role;
    if (change.active !== undefined) user.active = change.active;
    if (passwordHash !== undefined) user.passwordHash = passwordHash;
    if (change.email !== undefined) user.email = normalizeEmail(change.email);
    if (change.firstName !== undefined) user.firstName = change.firstName.trim();
    if (change.lastName !== undefined) user.lastName = change.lastName.trim();
    if (change.phone !== undefined) user.phone = change.phone?.trim() || null;
    if (endsSignIns) user.tokenVersion += 1;
    await em.flush();
    return user;
  });
}

/** Stamps a successful sign-in, for the Staff page's "last signed in". */
export async function recordSignIn(orm: Orm, userId: number): Promise<void> {
  await orm.em.fork().nativeUpdate(User, { id: userId }, { lastSignedInAt: new Date() });
}
