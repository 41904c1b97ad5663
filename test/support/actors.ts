import { randomBytes } from 'node:crypto';
import { createCreditActivities } from '../../activities/credits.js';
import { signToken } from '../../api/auth/tokens.js';
import { createAccount } from '../../model/accounts.js';
import { query } from '../../model/transaction.js';
import type { Role } from '../../model/entities/user.js';
import type { TestStack } from './stack.js';

export interface TestUser {
  id: number;
  email: string;
  token: string;
  headers: { authorization: string };
}

/** A real account (hashed password, real row) and a token signed by the app's own JWT key. */
export async function createUser(stack: TestStack, role: Role, name: string = role): Promise<TestUser> {
  const email = `${name}-${randomBytes(4).toString('hex')}@test.example`;
  const user = await createAccount(stack.orm, { email, password: 'correct horse battery', role, firstName: name, lastName: 'Test' });
  const token = signToken(stack.app, user);
  return { id: user.id, email, token, headers: { authorization: `Bearer ${token}` } };
}

/** Funds a client through the ledger's own grant (the path allocations and purchases use). */
export async function grant(stack: TestStack, clientId: number, quantity: number, expiresAt?: Date): Promise<void> {
  await createCreditActivities({ orm: stack.orm }).grantCredits({
    idempotencyKey: `test-grant:${randomBytes(6).toString('hex')}`,
    clientId,
    quantity,
    source: 'allocation',
    expiresAt: expiresAt?.toISOString() ?? null,
    actor: 'system',
    reason: 'test funding',
  });
}

/**
 * An admin's allocation through the API, so the allocation workflow runs and starts the
 * lot's expiry workflow; answers the new lot's id.
 */
export async function allocateExpiring(
  stack: TestStack,
  admin: TestUser,
  clientId: number,
  sessions: number,
  expiresAt: Date,
): Promise<number> {
  const response = await stack.app.inject({
    method: 'POST',
    url: '/api/sessions/add-to-user',
    headers: admin.headers,
    payload: { userId: clientId, sessions, reason: 'expiring allocation', expiresAt: expiresAt.toISOString() },
  });
  if (response.statusCode !== 200) throw new Error(`allocateExpiring: ${response.statusCode} ${response.body}`);
  const [entry] = await query<{ lotId: number }>(stack.orm, `select lot_id as "lotId" from ledger_entries where id = ?`, [
    response.json().data.ledgerEntryId,
  ]);
  return entry!.lotId;
}

let hourOffset = 0;

/** A session on the schedule through the API; each call takes a fresh hour so sessions never overlap by accident. */
export async function createSession(
  stack: TestStack,
  admin: TestUser,
  trainerId: number,
  options: { startsAt?: Date; capacity?: number; durationMinutes?: number } = {},
): Promise<{ id: number; startsAt: string }> {
  hourOffset += 1;
  const startsAt = options.startsAt ?? new Date(Date.now() + (72 + hourOffset) * 3_600_000);
  const response = await stack.app.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: admin.headers,
    payload: {
      trainerId,
      startsAt: startsAt.toISOString(),
      durationMinutes: options.durationMinutes ?? 60,
      capacity: options.capacity ?? 1,
    },
  });
  if (response.statusCode !== 201) throw new Error(`createSession: ${response.statusCode} ${response.body}`);
  return response.json();
}
