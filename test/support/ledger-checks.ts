import type { Orm } from '../../model/orm.js';
import { query, type Row } from '../../model/transaction.js';

/**
 * The invariants of docs/domain.md as queries, each answering the rows that break it
 * (expected: none). Plain data, so a test asserts on it (invariants.ts) and a program
 * prints and counts it (test/reliability/).
 */
export const LEDGER_CHECKS: Record<string, string> = {
  'clients whose balances disagree with their ledger, lots or bookings': `
    select u.id, u.available_sessions, u.held_sessions, l.available, l.held, lots.remaining, held.bookings
      from users u
      left join (select client_id, coalesce(sum(delta), 0)::int as available, coalesce(sum(held_delta), 0)::int as held
                   from ledger_entries group by client_id) l on l.client_id = u.id
      left join (select client_id, sum(remaining)::int as remaining from credit_lots group by client_id) lots on lots.client_id = u.id
      left join (select client_id, count(*)::int as bookings from bookings where credit_state = 'held' group by client_id) held on held.client_id = u.id
     where u.role = 'client' and (
       u.available_sessions <> coalesce(l.available, 0) or u.held_sessions <> coalesce(l.held, 0)
       or u.available_sessions <> coalesce(lots.remaining, 0) or u.held_sessions <> coalesce(held.bookings, 0))`,
  'ledger entries with a negative running balance': `
    select id, client_id, balance_after, held_after from ledger_entries where balance_after < 0 or held_after < 0`,
  'held credits without a live booking': `
    select id, status from bookings where credit_state = 'held' and status not in ('scheduled', 'confirmed')`,
  'sessions whose seat count disagrees with their bookings': `
    select s.id, s.capacity, s.booked_count, count(b.id)::int as bookings
      from training_sessions s left join bookings b on b.session_id = s.id and b.status not in ('cancelled', 'late_cancelled')
     group by s.id having s.booked_count <> count(b.id) or count(b.id) > s.capacity`,
  'clients booked into two overlapping sessions': `
    select a.id as first, b.id as second, a.client_id
      from bookings a join training_sessions sa on sa.id = a.session_id
      join bookings b on b.client_id = a.client_id and b.id > a.id
      join training_sessions sb on sb.id = b.session_id
     where a.status not in ('cancelled', 'late_cancelled') and b.status not in ('cancelled', 'late_cancelled')
       and tstzrange(sa.starts_at, sa.ends_at) && tstzrange(sb.starts_at, sb.ends_at)`,
  'trainers in two overlapping sessions': `
    select a.id as first, b.id as second, a.trainer_id
      from training_sessions a join training_sessions b on b.trainer_id = a.trainer_id and b.id > a.id
     where a.status <> 'cancelled' and b.status <> 'cancelled'
       and tstzrange(a.starts_at, a.ends_at) && tstzrange(b.starts_at, b.ends_at)`,
  'bookings left half-made': `select id from bookings where credit_state = 'pending'`,
};

/** Every check's breaking rows, by the check's name; all empty when the books hold. */
export async function ledgerViolations(orm: Orm): Promise<Record<string, Row[]>> {
  const found: Record<string, Row[]> = {};
  for (const [name, sql] of Object.entries(LEDGER_CHECKS)) found[name] = await query(orm, sql);
  return found;
}
