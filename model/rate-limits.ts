import type { Orm } from './orm.js';
import { query } from './transaction.js';

/** Counts one hit in a bucket's fixed window and answers the window's count so far, this hit included. */
export async function countHit(orm: Orm, bucket: string, windowStart: Date): Promise<number> {
  const [row] = await query<{ hits: number }>(
    orm,
    `insert into rate_limit_windows (bucket, window_start) values (?, ?)
      on conflict (bucket, window_start) do update set hits = rate_limit_windows.hits + 1
      returning hits`,
    [bucket, windowStart],
  );
  return row!.hits;
}

export async function forgetWindowsBefore(orm: Orm, before: Date): Promise<void> {
  await query(orm, 'delete from rate_limit_windows where window_start < ?', [before]);
}
