import type { Orm } from './orm.js';
import { query } from './transaction.js';

/** One Idempotency-Key within its scope (a route and the signed-in user). */
export interface IdempotencyClaim {
  scope: string;
  key: string;
  /** Hash of the canonical request (params, query, body) the key was first used for. */
  requestHash: string;
}

export interface IdempotencyRecord {
  requestHash: string;
  status: 'pending' | 'done';
  responseStatus: number | null;
  /** The first answer's JSON text, byte for byte. */
  responseBody: string | null;
}

const RECORD = `request_hash as "requestHash", status, response_status as "responseStatus", response_body::text as "responseBody"`;

/**
 * Takes the key for this request, or finds who took it first. Two requests racing with one
 * key both see the same row: the insert that loses waits for the winner's, then reads it.
 */
export async function claimIdempotencyKey(orm: Orm, claim: IdempotencyClaim): Promise<IdempotencyRecord> {
  const [inserted] = await query<IdempotencyRecord & Record<string, unknown>>(
    orm,
    `insert into idempotency_keys (scope, key, request_hash) values (?, ?, ?) on conflict (scope, key) do nothing returning ${RECORD}`,
    [claim.scope, claim.key, claim.requestHash],
  );
  if (inserted) return inserted;
  const [existing] = await query<IdempotencyRecord & Record<string, unknown>>(
    orm,
    `select ${RECORD} from idempotency_keys where scope = ? and key = ?`,
    [claim.scope, claim.key],
  );
  return existing!;
}

/** Keeps the first final answer; a later one for the same key (a concurrent twin) changes nothing. */
export async function recordIdempotentAnswer(orm: Orm, claim: IdempotencyClaim, answer: { status: number; body: string }): Promise<void> {
  await query(
    orm,
    `update idempotency_keys set status = 'done', response_status = ?, response_body = ?::json, answered_at = now()
      where scope = ? and key = ? and request_hash = ? and status = 'pending'`,
    [answer.status, answer.body, claim.scope, claim.key, claim.requestHash],
  );
}
