import { checkedRead, type AccountCheck } from './account-check.js';
import { ClientBalance } from './entities/client-balance.js';
import type { Orm } from './orm.js';

/**
 * A client's figures in the seed's own words (its `user-summary` endpoint, and the same
 * shape at `/api/me/summary`): `scheduled` is what everywhere else calls held, `completed`
 * what everywhere else calls consumed (docs/domain.md).
 */
export interface ClientSummary {
  userId: number;
  /** Credits the client can book with now. */
  available: number;
  /** Held credits. */
  scheduled: number;
  /** Consumed credits: attended sessions, no-shows and forfeited late cancels. */
  completed: number;
  /** Bookings cancelled, in time or late. */
  cancelled: number;
  /** available + scheduled + completed. */
  total: number;
}

/**
 * The one read path for a client's figures: the client_balances view over the ledger. One
 * plain statement, not an entity find: a client's app asks this more than anything else, and
 * hydrating view entities cost about four times the CPU (README's Performance).
 */
export async function clientSummaries(orm: Orm, clientIds: number[], check?: AccountCheck): Promise<Map<number, ClientSummary>> {
  if (clientIds.length === 0) return new Map();
  const rows = await checkedRead<{ [K in keyof ClientSummary]: ClientSummary[K] }>(
    orm,
    check,
    `select client_id as "userId", available, held as scheduled, consumed as completed, cancelled, total
       from client_balances where client_id = any(?::int[])`,
    [clientIds],
  );
  return new Map(rows.map((row) => [row.userId, row]));
}

export async function clientSummary(orm: Orm, clientId: number, check?: AccountCheck): Promise<ClientSummary | undefined> {
  return (await clientSummaries(orm, [clientId], check)).get(clientId);
}

/** Clients whose cached balance columns disagree with their ledger: zero unless an invariant broke. */
export async function clientsWithBalanceDrift(orm: Orm): Promise<number> {
  return orm.em
    .fork()
    .createQueryBuilder(ClientBalance, 'cb')
    .join('cb.client', 'u')
    .where('u.available_sessions <> cb.available + cb.lapsed or u.held_sessions <> cb.held')
    .getCount();
}
