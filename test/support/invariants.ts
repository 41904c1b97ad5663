import { expect } from 'vitest';
import type { Orm } from '../../model/orm.js';
import { query } from '../../model/transaction.js';

/**
 * The invariants of docs/domain.md checked from the outside after every race, crash and flow: cached balances
 * equal ledger sums, lots account for every available credit, held credits belong to
 * live bookings, and no session holds more bookings than seats.
 */
export async function expectLedgerConsistent(orm: Orm): Promise<void> {
  const drift = await query(
    orm,
    `
    select u.id, u.available_sessions, u.held_sessions, l.available, l.held, lots.remaining, held.bookings
      from users u
      left join (select client_id, coalesce(sum(delta), 0)::int as available, coalesce(sum(held_delta), 0)::int as held
                   from ledger_entries group by client_id) l on l.client_id = u.id
      left join (select client_id, sum(remaining)::int as remaining from credit_lots group by client_id) lots on lots.client_id = u.id
      left join (select client_id, count(*)::int as bookings from bookings where credit_state = 'held' group by client_id) held on held.client_id = u.id
     where u.role = 'client' and (
       u.available_sessions <> coalesce(l.available, 0) or u.held_sessions <> coalesce(l.held, 0)
       or u.available_sessions <> coalesce(lots.remaining, 0) or u.held_sessions <> coalesce(held.bookings, 0))`,
  );
  expect(drift, 'clients whose balances disagree with their ledger, lots or bookings').toEqual([]);

  const heldWithoutLiveBooking = await query(
    orm,
    `select id, status from bookings where credit_state = 'held' and status not in ('scheduled', 'confirmed')`,
  );
  expect(heldWithoutLiveBooking, 'held credits without a live booking').toEqual([]);

  const seats = await query(
    orm,
    `
    select s.id, s.capacity, s.booked_count, count(b.id)::int as bookings
      from training_sessions s left join bookings b on b.session_id = s.id and b.status not in ('cancelled', 'late_cancelled')
     group by s.id having s.booked_count <> count(b.id) or count(b.id) > s.capacity`,
  );
  expect(seats, 'sessions whose seat count disagrees with their bookings').toEqual([]);

  const pending = await query(orm, `select id from bookings where credit_state = 'pending'`);
  expect(pending, 'bookings left half-made').toEqual([]);
}

export async function balanceOf(orm: Orm, clientId: number): Promise<{ available: number; held: number }> {
  const [row] = await query<{ available: number; held: number }>(orm, `select available, held from client_balances where client_id = ?`, [
    clientId,
  ]);
  return row!;
}
