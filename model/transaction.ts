import { createHash } from 'node:crypto';
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

/**
 * A parameterised SQL statement runner bound to one transaction (`?` placeholders).
 * `PREPARED` (the hottest reads only): PostgreSQL plans the statement once per connection
 * and binds the parameters, where an inlined statement is planned at every call; planning
 * took 70 % of the clients page's database time (README's Performance). Its text must
 * hold no `?` but its placeholders.
 */
export type Sql = <T extends Row = Row>(query: string, params?: unknown[], mode?: typeof PREPARED) => Promise<T[]>;

export const PREPARED = 'prepared';

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

type Statement = string | { name: string; text: string; values: unknown[] };

/** A connection of the ORM's pool, held for one statement or one transaction. */
interface PooledConnection {
  /** Several statements in one text answer with one result each. */
  query(statement: Statement): Promise<{ rows: Row[] } | { rows: Row[] }[]>;
  /** knex's mark for a connection its pool must not hand out again. */
  __knex__disposed?: unknown;
}

/** A held connection, and whether a transaction's BEGIN has gone out on it yet. */
interface Held {
  connection: PooledConnection;
  begin: string | undefined;
  opened: boolean;
}

/**
 * The hand-written SQL goes straight to a connection of the ORM's own pool: MikroORM's
 * per-statement work (an EntityManager fork, its logging context, knex's query object)
 * cost more CPU than PostgreSQL took to answer the hot reads. Parameters are still
 * inlined by the ORM's platform, as `em.execute` does, so every statement means what it
 * meant before.
 *
 * `begin` opens a transaction in the same round trip as its first statement: every round
 * trip costs the process about as much CPU as PostgreSQL takes for a short statement, and
 * a booking makes two transactions (README's Performance).
 */
async function withConnection<T>(orm: Orm, begin: string | undefined, work: (sql: Sql, held: Held) => Promise<T>): Promise<T> {
  const pool = orm.em.getConnection().getKnex().client;
  const platform = orm.em.getPlatform();
  const held: Held = { connection: (await pool.acquireConnection()) as PooledConnection, begin, opened: false };
  const sql: Sql = async <T extends Row>(query: string, params: unknown[] = [], mode?: typeof PREPARED) => {
    if (mode === PREPARED && !plansOnce.has(held.connection)) {
      await held.connection.query('set plan_cache_mode = force_generic_plan');
      plansOnce.add(held.connection);
    }
    let statement: Statement = mode === PREPARED ? preparedStatement(query, params) : platform.formatQuery(query, params);
    if (held.begin !== undefined) {
      const opening = held.begin;
      held.begin = undefined;
      // Marked before it goes out: a statement that fails after BEGIN ran leaves a transaction to roll back.
      held.opened = true;
      if (typeof statement === 'string') statement = `${opening}; ${statement}`;
      else await held.connection.query(opening);
    }
    const result = await held.connection.query(statement);
    return withTimestamps((Array.isArray(result) ? result[result.length - 1]! : result).rows as T[]);
  };
  try {
    return await work(sql, held);
  } finally {
    await pool.releaseConnection(held.connection);
  }
}

/**
 * Connections told to plan each prepared statement once. Left to choose, PostgreSQL kept
 * planning the clients page at every call (1.2 ms), because a generic plan for `limit ?`
 * is estimated dearer than a custom one; measured, the generic plan is faster for the first
 * page (0.69 against 1.74 ms) and for page 200 (50 against 58 ms). Only these statements
 * bind parameters (the ORM inlines its own), so the setting changes nothing else.
 */
const plansOnce = new WeakSet<PooledConnection>();

/** Each prepared statement's text and name, worked out once per process: its callers build a bounded set of texts (sorts × filters). */
const preparedShapes = new Map<string, { name: string; text: string; placeholders: number }>();

/** Named by its text, so each connection prepares each statement once, whoever runs it. */
function preparedStatement(query: string, values: unknown[]): { name: string; text: string; values: unknown[] } {
  let shape = preparedShapes.get(query);
  if (!shape) {
    let placeholders = 0;
    const text = query.replace(/\?/g, () => `$${++placeholders}`);
    shape = { name: `s${createHash('sha1').update(text).digest('base64url').slice(0, 20)}`, text, placeholders };
    preparedShapes.set(query, shape);
  }
  if (shape.placeholders !== values.length) {
    throw new Error(`a prepared statement with ${shape.placeholders} placeholders was given ${values.length} parameters`);
  }
  return { name: shape.name, text: shape.text, values };
}

/**
 * Runs `work` in the transaction `held` opens with its first statement, then commits; any
 * failure rolls it back before the connection goes back to the pool. Work that ran no
 * statement opened nothing, and has nothing to commit.
 */
async function transaction<T>(held: Held, work: () => Promise<T>): Promise<T> {
  let result: T;
  try {
    result = await work();
  } catch (error) {
    if (held.opened) {
      await held.connection.query('rollback').catch((rollbackError: unknown) => {
        // A connection that cannot roll back is broken: the pool must not hand it out again.
        held.connection.__knex__disposed = rollbackError;
      });
    }
    throw error;
  }
  if (held.opened) await held.connection.query('commit');
  return result;
}

/**
 * Runs `work` in one database transaction. The ledger's hot paths are hand-written SQL:
 * row locks, RETURNING and constraint errors are the point, and an ORM unit of work would
 * only hide them.
 */
export async function inTransaction<T>(orm: Orm, work: (sql: Sql) => Promise<T>): Promise<T> {
  const hooks = new Set<CommitHook>();
  // A transaction gives up before the activity that runs it times out, so a retried
  // attempt never races an abandoned one still queued on the same row lock.
  const begin = `begin; select set_config('lock_timeout', '${LOCK_TIMEOUT_MS}ms', true), set_config('statement_timeout', '${STATEMENT_TIMEOUT_MS}ms', true)`;
  const result = await withConnection(orm, begin, (sql, held) => {
    commitHooks.set(sql, hooks);
    return transaction(held, () => work(sql));
  });
  for (const hook of hooks) await hook(orm);
  return result;
}

/** Several reads that must agree (a page and its total): one read-only, repeatable-read snapshot. */
export async function inSnapshot<T>(orm: Orm, work: (sql: Sql) => Promise<T>): Promise<T> {
  return withConnection(orm, 'begin transaction isolation level repeatable read read only', (sql, held) =>
    transaction(held, () => work(sql)),
  );
}

/** Reads outside a transaction: one statement, one snapshot. */
export async function query<T extends Row = Row>(orm: Orm, sql: string, params: unknown[] = [], mode?: typeof PREPARED): Promise<T[]> {
  return withConnection(orm, undefined, (run) => run<T>(sql, params, mode));
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
