import { IsolationLevel, type EntityManager } from '@mikro-orm/postgresql';
import type { Orm } from './orm.js';

export type Row = Record<string, unknown>;

/**
 * MikroORM's driver hands raw timestamps back as text (its entities parse them), so the
 * hand-written queries follow one convention: every timestamp column is aliased to a
 * name ending in "At", and arrives here as a Date.
 */
function withTimestamps<T extends Row>(rows: T[]): T[] {
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      const value = row[key];
      if (typeof value === 'string' && key.endsWith('At')) (row as Row)[key] = new Date(value);
    }
  }
  return rows;
}

/** A parameterised SQL statement runner bound to one transaction (`?` placeholders). */
export type Sql = <T extends Row = Row>(query: string, params?: unknown[]) => Promise<T[]>;

/** Both well under the request-path activities' 10 s start-to-close timeout. */
export const LOCK_TIMEOUT_MS = 3_000;
export const STATEMENT_TIMEOUT_MS = 5_000;

/** Work that must follow a transaction's commit, never run inside it (a NOTIFY, say). */
export type CommitHook = (orm: Orm) => Promise<void>;
const commitHooks = new WeakMap<Sql, Set<CommitHook>>();

/**
 * Runs `hook` once the transaction `sql` belongs to has committed; never if it rolls back.
 * The same hook registered twice in one transaction runs once. A hook that fails fails the
 * caller, as the transaction's own error would (its work is already committed, and keyed,
 * so a retry repeats nothing but the hook).
 */
export function afterCommit(sql: Sql, hook: CommitHook): void {
  const hooks = commitHooks.get(sql);
  if (!hooks) throw new Error('afterCommit needs the sql of a transaction opened by inTransaction');
  hooks.add(hook);
}

/**
 * Runs `work` in one database transaction on a fresh EntityManager fork. The ledger's
 * hot paths are hand-written SQL: row locks, RETURNING and constraint errors are the
 * point, and an ORM unit of work would only hide them.
 */
export async function inTransaction<T>(orm: Orm, work: (sql: Sql, em: EntityManager) => Promise<T>): Promise<T> {
  const em = orm.em.fork();
  const hooks = new Set<CommitHook>();
  const result = await em.transactional(async (tx) => {
    // A retried transaction starts its hooks afresh: only the attempt that commits has any.
    hooks.clear();
    const sql: Sql = async (query, params = []) => withTimestamps(await tx.execute(query, params as unknown[], 'all'));
    commitHooks.set(sql, hooks);
    // A transaction gives up before the activity that runs it times out, so a retried
    // attempt never races an abandoned one still queued on the same row lock.
    await sql(
      `select set_config('lock_timeout', '${LOCK_TIMEOUT_MS}ms', true), set_config('statement_timeout', '${STATEMENT_TIMEOUT_MS}ms', true)`,
    );
    return work(sql, tx);
  });
  for (const hook of hooks) await hook(orm);
  return result;
}

/** Several reads that must agree (a page and its total): one read-only, repeatable-read snapshot. */
export async function inSnapshot<T>(orm: Orm, work: (sql: Sql) => Promise<T>): Promise<T> {
  return orm.em
    .fork()
    .transactional((tx) => work(async (query, params = []) => withTimestamps(await tx.execute(query, params as unknown[], 'all'))), {
      isolationLevel: IsolationLevel.REPEATABLE_READ,
      readOnly: true,
    });
}

/** Reads outside a transaction: one statement, one snapshot. */
export async function query<T extends Row = Row>(orm: Orm, sql: string, params: unknown[] = []): Promise<T[]> {
  return withTimestamps(await orm.em.fork().execute<T[]>(sql, params as unknown[], 'all'));
}

/** PostgreSQL's SQLSTATE and the violated constraint, when an error carries them. */
export function pgError(error: unknown): { code: string; constraint: string | undefined } | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 5; depth += 1) {
    const candidate = current as { code?: unknown; constraint?: unknown; cause?: unknown; previous?: unknown };
    if (typeof candidate.code === 'string' && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      return { code: candidate.code, constraint: typeof candidate.constraint === 'string' ? candidate.constraint : undefined };
    }
    current = candidate.cause ?? candidate.previous;
  }
  return undefined;
}
