import { DomainError, ErrorCode } from '../model/errors.js';
import type { Settings } from '../config/settings.js';
import type { Orm } from '../model/orm.js';
import { inTransaction, type Sql } from '../model/transaction.js';
import { closeWaitlistOfCancelledSession } from '../model/waitlist.js';
import { businessRules } from './failures.js';
import { studioTime } from './messages.js';

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
  /**
   * Whether the change sets the start or the duration, so the bookings' timers must follow.
   * Judged from the change, not from the rows: a workflow replaying the step after a worker
   * died before recording it finds the rows already moved, and its bookings must still hear.
   */
  moved: boolean;
  /** The live bookings whose workflows follow the new time. */
  bookings: LiveBookingRef[];
}

/**
 * The changes a weekly series takes from a date on. `startTime` is a wall-clock time in the
 * studio's zone, so every occurrence keeps its day and its local time across a DST change.
 */
export interface SeriesChanges {
  startTime?: string | undefined;
  trainerId?: number | undefined;
  durationMinutes?: number | undefined;
  capacity?: number | undefined;
}

export interface ChangedSeriesSession extends ChangedSession {
  sessionId: number;
}

const COLUMNS: Record<keyof SessionChanges, string> = {
  trainerId: 'trainer_id',
  startsAt: 'starts_at',
  durationMinutes: 'duration_minutes',
  capacity: 'capacity',
  location: 'location',
  notes: 'notes',
};

/** The columns that set when a session starts or ends. */
const TIMING = new Set(['starts_at', 'duration_minutes']);

const liveBookingsSql = `select id as "bookingId", workflow_id as "workflowId" from bookings
  where session_id = ? and status in ('scheduled', 'confirmed') order by id`;

/** A series' sessions from a date on that can still change: not cancelled, not yet begun, not taken place. */
const seriesSessionsSql = `select id from training_sessions
  where series_id = ? and starts_at >= ? and starts_at > now() and status not in ('cancelled', 'completed', 'no_show')
  order by starts_at, id`;

const timesOf = (sql: Sql, sessionId: number) =>
  sql<{ startsAt: Date; endsAt: Date }>('select starts_at as "startsAt", ends_at as "endsAt" from training_sessions where id = ?', [
    sessionId,
  ]);

/**
 * One session's change inside the caller's transaction, and what its bookings must hear. The
 * EXCLUDE constraints judge the new time; triggers move ends_at and the bookings' copy of it.
 */
async function applyChanges(sql: Sql, sessionId: number, assignments: Array<[column: string, value: unknown]>): Promise<ChangedSession> {
  if (assignments.length > 0) {
    await sql(`update training_sessions set ${assignments.map(([column]) => `${column} = ?`).join(', ')} where id = ?`, [
      ...assignments.map(([, value]) => value),
      sessionId,
    ]);
  }
  const [after] = await timesOf(sql, sessionId);
  return {
    startsAt: after!.startsAt.toISOString(),
    endsAt: after!.endsAt.toISOString(),
    moved: assignments.some(([column]) => TIMING.has(column)),
    bookings: await sql<LiveBookingRef & Record<string, unknown>>(liveBookingsSql, [sessionId]),
  };
}

/** The session-change workflows' steps: each one transaction, each safe to repeat. */
export function createSessionActivities({ orm, settings }: { orm: Orm; settings: Pick<Settings, 'studio'> }) {
  return {
    /** Closes the session to new bookings and its waitlist (each waiting client told), and names the live bookings its cancellation must end. */
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
          await closeWaitlistOfCancelledSession(sql, request.sessionId, { offersInFlight: true });
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
          const entries = Object.entries(request.changes).filter(([, value]) => value !== undefined) as Array<
            [keyof SessionChanges, unknown]
          >;
          return applyChanges(
            sql,
            request.sessionId,
            entries.map(([key, value]) => [COLUMNS[key], key === 'startsAt' ? new Date(value as string) : value]),
          );
        }),
      );
    },

    /** The sessions a series change from this date on applies to, in order. */
    async seriesSessions(request: { seriesId: string; from: string }): Promise<number[]> {
      const rows = await inTransaction(orm, (sql) => sql<{ id: number }>(seriesSessionsSql, [request.seriesId, new Date(request.from)]));
      return rows.map((row) => row.id);
    },

    /**
     * Changes every session of a series from a date on in one transaction: one overlap,
     * one session booked beyond the new capacity or one new time in the past refuses the
     * whole change, and nothing is written.
     */
    async changeSeries(request: {
      seriesId: string;
      from: string;
      changes: SeriesChanges;
      sessionIds?: number[] | undefined;
    }): Promise<ChangedSeriesSession[]> {
      const { startTime, trainerId, durationMinutes, capacity } = request.changes;
      const zone = settings.studio.timeZone;
      const chosen = request.sessionIds
        ? {
            where: `series_id = ? and id = any(?::int[]) and status not in ('cancelled', 'completed', 'no_show')`,
            values: [request.seriesId, `{${request.sessionIds.join(',')}}`],
          }
        : { where: `id in (${seriesSessionsSql})`, values: [request.seriesId, new Date(request.from)] };
      return businessRules(() =>
        inTransaction(orm, async (sql) => {
          const sessions = await sql<{ id: number; bookedCount: number; startsAt: Date }>(
            `select id, booked_count as "bookedCount", starts_at as "startsAt" from training_sessions
              where ${chosen.where} order by starts_at, id for update`,
            chosen.values,
          );
          const changed: ChangedSeriesSession[] = [];
          for (const session of sessions) {
            if (capacity !== undefined && capacity < session.bookedCount) {
              throw new DomainError(
                ErrorCode.Conflict,
                `${session.bookedCount} clients are booked into the session of ${studioTime(settings.studio, session.startsAt)}; capacity cannot go below that.`,
                { sessionId: session.id },
              );
            }
            const assignments: Array<[string, unknown]> = [];
            if (startTime !== undefined) {
              const [moved] = await sql<{ startsAt: Date }>(
                `select (((starts_at at time zone ?)::date + ?::time) at time zone ?) as "startsAt" from training_sessions where id = ?`,
                [zone, startTime, zone, session.id],
              );
              assignments.push(['starts_at', moved!.startsAt]);
            }
            if (trainerId !== undefined) assignments.push(['trainer_id', trainerId]);
            if (durationMinutes !== undefined) assignments.push(['duration_minutes', durationMinutes]);
            if (capacity !== undefined) assignments.push(['capacity', capacity]);
            const result = await applyChanges(sql, session.id, assignments);
            if (Date.parse(result.startsAt) <= Date.now()) {
              throw new DomainError(
                ErrorCode.InvalidRequest,
                `The session of ${studioTime(settings.studio, session.startsAt)} would start in the past.`,
                {
                  sessionId: session.id,
                },
              );
            }
            changed.push({ sessionId: session.id, ...result });
          }
          return changed;
        }),
      );
    },
  };
}
