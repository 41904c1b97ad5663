import type { AccountAccess } from './accounts.js';
import type { Orm } from './orm.js';
import { PREPARED, query, type Row } from './transaction.js';

/**
 * The reader's account, checked against their token by whoever asked (api/auth/guard.ts):
 * `accept` is given the account as a read found it, and throws to refuse the request.
 */
export interface AccountCheck {
  readonly userId: number;
  accept(account: AccountAccess | undefined): void;
}

interface CheckedRow extends Row {
  accountRole: AccountAccess['role'] | null;
  accountTokenVersion: number | null;
  accountActive: boolean | null;
  readRow: boolean | null;
}

/**
 * A prepared read that also reads the reader's account, in the same statement: every
 * authenticated request checks the account as it is now, and on the hottest reads that
 * check was a round trip of its own, the one in two that did no work. The read's rows ride
 * on the account's row (none when there is no such account, nor when it is inactive), in
 * their own order; `check.accept` decides before they are returned. Without a check, the
 * read alone.
 */
export async function checkedRead<T extends Row>(orm: Orm, check: AccountCheck | undefined, sql: string, params: unknown[]): Promise<T[]> {
  if (!check) return query<T>(orm, sql, params, PREPARED);
  const rows = await query<CheckedRow>(
    orm,
    `select a.role as "accountRole", a.token_version as "accountTokenVersion", a.active as "accountActive", r.*
       from (select ?::int as id) reader
       left join users a on a.id = reader.id
       left join lateral (select true as "readRow", q.* from (${sql}) q) r on a.active`,
    [check.userId, ...params],
    PREPARED,
  );
  const { accountRole, accountTokenVersion, accountActive } = rows[0]!;
  check.accept(accountRole === null ? undefined : { role: accountRole, tokenVersion: accountTokenVersion!, active: accountActive! });
  const read: T[] = [];
  for (const { accountRole: _role, accountTokenVersion: _version, accountActive: _active, readRow, ...row } of rows) {
    if (readRow) read.push(row as T);
  }
  return read;
}
