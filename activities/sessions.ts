import { DomainError, ErrorCode } from '../model/errors.js';
import type { Orm } from '../model/orm.js';
import { inTransaction } from '../model/transaction.js';
import { businessRules } from './failures.js';

/** The changes a session can take in one request; null clears a text field. */
export interface SessionChanges {
  trainerId?: number | undefined;
  startsAt?: string | undefined;
  durationMinutes?: number | undefined;
  capacity?: number | undefined;
  location?: string | null | undefined;
  notes?: string | null | undefined;
}

export interface LiveBookingRef {
  bookingId: number;
  workflowId: string;
}

export interface ChangedSession {
  startsAt: string;
  endsAt: string;
  /** Whether the start or the end moved, so the bookings' timers must follow. */
  moved: boolean;
  /** The live bookings whose workflows follow the new time. */
  bookings: LiveBookingRef[];
}

const COLUMNS: Record<keyof SessionChanges, string> = {
  trainerId: 'trainer_id',
  startsAt: 'starts_at',
  durationMinutes: 'duration_minutes',
  capacity: 'capacity',
  location: 'location',
  notes: 'notes',
};

const liveBookingsSql = `select id as "bookingId", workflow_id as "workflowId" from bookings
  where session_id = ? and status in ('scheduled', 'confirmed') order by id`;

/** The session-change workflows' steps: each one transaction, each safe to repeat. */
export function createSessionActivities({ orm }: { orm: Orm }) {
  return {
    /** Closes the session to new bookings and names the live ones its cancellation must end. */
    async closeSession(request: { sessionId: number }): Promise<LiveBookingRef[]> {
      return businessRules(() =>
        inTransaction(orm, async (sql) => {
          const [session] = await sql<{ status: string }>('select status from training_sessions where id = ? for update', [
            request.sessionId,
          ]);
          if (!session) throw new DomainError(ErrorCode.NotFound, `Session ${request.sessionId} was not found.`);
          if (session.status === 'completed' || session.status === 'no_show') {
            throw new DomainError(ErrorCode.Conflict, 'This session has already taken place.');
          }
          await sql(`update training_sessions set status = 'cancelled' where id = ?`, [request.sessionId]);
          return sql<LiveBookingRef & Record<string, unknown>>(liveBookingsSql, [request.sessionId]);
        }),
      );
    },

    /** Which of these bookings are still live (their workflows have not cancelled them yet). */
    async stillLive(request: { bookingIds: number[] }): Promise<number[]> {
      if (request.bookingIds.length === 0) return [];
      const rows = await inTransaction(orm, (sql) =>
        sql<{ id: number }>(
          `select id from bookings where id in (select jsonb_array_elements_text(?::jsonb)::int) and status in ('scheduled', 'confirmed') order by id`,
          [JSON.stringify(request.bookingIds)],
        ),
      );
      return rows.map((row) => row.id);
    },

    /** Applies a reschedule, reassignment or resize; the EXCLUDE constraints judge the new time. */
    async changeSession(request: { sessionId: number; changes: SessionChanges }): Promise<ChangedSession> {
      return businessRules(() =>
        inTransaction(orm, async (sql) => {
          const [session] = await sql<{ status: string }>('select status from training_sessions where id = ? for update', [
            request.sessionId,
          ]);
          if (!session) throw new DomainError(ErrorCode.NotFound, `Session ${request.sessionId} was not found.`);
          if (['cancelled', 'completed', 'no_show'].includes(session.status)) {
            throw new DomainError(ErrorCode.Conflict, `This session is ${session.status.replace('_', ' ')} and can no longer change.`);
          }
          const timesOf = () =>
            sql<{ startsAt: Date; endsAt: Date }>(
              'select starts_at as "startsAt", ends_at as "endsAt" from training_sessions where id = ?',
              [request.sessionId],
            );
          const [before] = await timesOf();
          const entries = Object.entries(request.changes).filter(([, value]) => value !== undefined) as Array<
            [keyof SessionChanges, unknown]
          >;
          if (entries.length > 0) {
            // Triggers move ends_at and the bookings' copy of the time.
            await sql(`update training_sessions set ${entries.map(([key]) => `${COLUMNS[key]} = ?`).join(', ')} where id = ?`, [
              ...entries.map(([key, value]) => (key === 'startsAt' ? new Date(value as string) : value)),
              request.sessionId,
            ]);
          }
          const [after] = await timesOf();
          return {
            startsAt: after!.startsAt.toISOString(),
            endsAt: after!.endsAt.toISOString(),
            moved: after!.startsAt.getTime() !== before!.startsAt.getTime() || after!.endsAt.getTime() !== before!.endsAt.getTime(),
            bookings: await sql<LiveBookingRef & Record<string, unknown>>(liveBookingsSql, [request.sessionId]),
          };
        }),
      );
    },
  };
}
