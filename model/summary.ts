import type { Orm } from './orm.js';
import { query } from './transaction.js';

export interface ClientSummary {
  userId: number;
  /** Credits the client can book with now. */
  available: number;
  /** Credits held by upcoming bookings. */
  scheduled: number;
  /** Credits used: attended sessions, no-shows and forfeited late cancels. */
  completed: number;
  /** Bookings cancelled, in time or late. */
  cancelled: number;
  /** available + scheduled + completed. */
  total: number;
}

/** The one read path for a client's figures: the client_balances view over the ledger. */
export async function clientSummaries(orm: Orm, clientIds: number[]): Promise<Map<number, ClientSummary>> {
  if (clientIds.length === 0) return new Map();
  // knex expands a JS array binding into a list, so the ids travel as one array literal.
  const rows = await query<ClientSummary & Record<string, unknown>>(orm,
    `select client_id as "userId", available, scheduled, completed, cancelled, total
       from client_balances where client_id = any(?::int[])`, [`{${clientIds.join(',')}}`]);
  return new Map(rows.map((row) => [row.userId, row]));
}

export async function clientSummary(orm: Orm, clientId: number): Promise<ClientSummary | undefined> {
  return (await clientSummaries(orm, [clientId])).get(clientId);
}
