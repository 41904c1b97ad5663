import { DateTime } from 'luxon';
import { expect } from 'vitest';
import { query } from '../../model/transaction.js';
import type { TestUser } from './actors.js';
import type { TestStack } from './stack.js';

/**
 * A studio's day for the dashboard's tests: wall-clock times in the studio's zone (worked
 * out here with luxon, independently of the SQL under test) and sessions placed at them.
 */

/** The instant the studio's clocks show `time` (HH:mm) on today's date plus `days`. */
export function studioTime(zone: string, days: number, time: string): Date {
  const date = DateTime.now().setZone(zone).startOf('day').plus({ days }).toISODate();
  return DateTime.fromISO(`${date}T${time}`, { zone }).toJSDate();
}

export const studioDate = (zone: string) => DateTime.now().setZone(zone).toISODate()!;

/**
 * A session on the schedule at any time, earlier today included (the API only creates
 * future ones); the trigger derives its end as for every other session.
 */
export async function placeSession(
  stack: TestStack,
  session: { trainerId: number; startsAt: Date; capacity?: number; durationMinutes?: number; status?: 'available' | 'cancelled' },
): Promise<number> {
  const [row] = await query<{ id: number }>(
    stack.orm,
    `insert into training_sessions (trainer_id, starts_at, duration_minutes, capacity, status) values (?, ?, ?, ?, ?) returning id`,
    [session.trainerId, session.startsAt, session.durationMinutes ?? 60, session.capacity ?? 1, session.status ?? 'available'],
  );
  return row!.id;
}

/** Books through the real API and its book-to-deduct workflow. */
export async function book(stack: TestStack, staff: TestUser | { headers: Record<string, string> }, clientId: number, sessionId: number) {
  const response = await stack.app.inject({
    method: 'POST',
    url: `/api/sessions/book/${clientId}`,
    headers: staff.headers,
    payload: { sessionId },
  });
  expect(response.statusCode, response.body).toBe(200);
}

/** Policies that let a test book and finish sessions from earlier today, whatever the hour it runs. */
export const ANY_HOUR_POLICIES = {
  POLICY_LATE_BOOKING_MINUTES: '1440',
  POLICY_AUTO_COMPLETE_AFTER_MINUTES: '2880',
};
