import type { LedgerEntryRow } from './ledger.js';
import type { Orm } from './orm.js';
import { afterCommit, query, type Sql } from './transaction.js';

/**
 * The outbox (`notifications`): one row per message, written in the transaction of the
 * change it reports under a stable idempotency key, so a retried transaction writes it
 * once. The sender (activities/notifications.ts) delivers each row at most once per
 * idempotency key; that key is also the email's Message-ID.
 *
 * Each kind is a receipt (always sent), a reminder or a nudge (the client may opt out of
 * either: `users.email_reminders`, `users.email_nudges`).
 */
export const NOTIFICATION_KINDS = {
  'booking.booked': 'receipt',
  'booking.cancelled': 'receipt',
  'booking.reminder': 'reminder',
  'credits.expiring': 'nudge',
  'credits.low': 'nudge',
  'purchase.paid': 'receipt',
  'purchase.refunded': 'receipt',
  // A change to the client's own waitlist entry, as a booking or a cancellation is: always told.
  'waitlist.promoted': 'receipt',
  'waitlist.skipped': 'receipt',
  'waitlist.cancelled': 'receipt',
} as const;
export type NotificationKind = keyof typeof NOTIFICATION_KINDS;
export type NotificationCategory = (typeof NOTIFICATION_KINDS)[NotificationKind];

/**
 * Wakes the drainer (the worker LISTENs on this channel). Every outbox write asks for it
 * after its transaction commits (queueNotification), never inside it: a NOTIFY in a
 * transaction takes PostgreSQL's global notify lock through its commit, which would queue
 * every booking's commit (and its fsync) behind every other's; alone, it writes no WAL
 * and costs one round trip.
 */
export const SENDER_CHANNEL = 'notifications_written';

export async function wakeSender(orm: Orm): Promise<void> {
  await query(orm, `select pg_notify('${SENDER_CHANNEL}', '')`);
}

export interface OutboxRow {
  userId: number;
  kind: NotificationKind;
  payload: Record<string, unknown>;
  idempotencyKey: string;
}

/**
 * The one way into the outbox: the row, once per idempotency key, and the sender woken
 * once the transaction commits, whoever wrote it. Answers whether this call wrote it.
 */
export async function queueNotification(sql: Sql, row: OutboxRow): Promise<boolean> {
  const written = await sql(
    `insert into notifications (user_id, kind, payload, idempotency_key) values (?, ?, ?::jsonb, ?)
      on conflict (idempotency_key) do nothing returning id`,
    [row.userId, row.kind, JSON.stringify(row.payload), row.idempotencyKey],
  );
  if (written.length > 0) afterCommit(sql, wakeSender);
  return written.length > 0;
}

/**
 * A low-balance nudge when an entry takes the client from above the threshold to at or
 * below it: once per crossing, keyed by the entry that crossed.
 */
export async function queueLowBalance(sql: Sql, entry: LedgerEntryRow, threshold: number): Promise<void> {
  const before = entry.balanceAfter - entry.delta;
  if (entry.delta >= 0 || entry.balanceAfter > threshold || before <= threshold) return;
  await queueNotification(sql, {
    userId: entry.clientId,
    kind: 'credits.low',
    payload: { available: entry.balanceAfter, ledgerEntryId: entry.id },
    idempotencyKey: `low-balance:${entry.idempotencyKey}`,
  });
}

/** What the console lists for one client, newest first. */
export interface NotificationView {
  id: number;
  clientId: number;
  kind: string;
  category: NotificationCategory | 'unknown';
  state: string;
  subject: string | null;
  attempts: number;
  lastError: string | null;
  createdAt: Date;
  lastAttemptAt: Date | null;
  sentAt: Date | null;
}

export function categoryOf(kind: string): NotificationCategory | 'unknown' {
  return (NOTIFICATION_KINDS as Record<string, NotificationCategory>)[kind] ?? 'unknown';
}

/** A row being delivered, with what every message needs to know about its recipient. */
export interface PendingNotification {
  id: number;
  kind: string;
  payload: Record<string, unknown>;
  idempotencyKey: string;
  userId: number;
  email: string;
  firstName: string;
  emailReminders: boolean;
  emailNudges: boolean;
  available: number;
}

/** Locks the row for the length of its delivery; undefined when it is no longer pending. NOWAIT: a lock held means another attempt is sending it. */
export async function lockPending(sql: Sql, id: number): Promise<PendingNotification | undefined> {
  const [row] = await sql<PendingNotification & Record<string, unknown>>(
    `select n.id::int as id, n.kind, n.payload, n.idempotency_key as "idempotencyKey", u.id as "userId", u.email,
            u.first_name as "firstName", u.email_reminders as "emailReminders", u.email_nudges as "emailNudges",
            u.available_sessions as available
       from notifications n join users u on u.id = n.user_id
      where n.id = ? and n.state = 'pending'
      for update of n nowait`,
    [id],
  );
  return row;
}

/** A booking as its messages describe it. */
export interface BookingFacts {
  startsAt: Date;
  endsAt: Date;
  trainerName: string;
  location: string | null;
  status: string;
  creditState: string;
  cancelWindowMinutes: number;
  /** Made by the waitlist's promotion (being made, or made): its own message confirms it. */
  fromWaitlist: boolean;
}

export async function bookingFacts(sql: Sql, bookingId: number): Promise<BookingFacts | undefined> {
  const [row] = await sql<BookingFacts & Record<string, unknown>>(
    `select b.starts_at as "startsAt", b.ends_at as "endsAt", trim(t.first_name || ' ' || t.last_name) as "trainerName",
            s.location, b.status, b.credit_state as "creditState", b.cancel_window_minutes as "cancelWindowMinutes",
            exists(select 1 from waitlist_entries w where w.session_id = b.session_id and w.client_id = b.client_id
                     and (w.booking_id = b.id or (w.state = 'waiting' and w.offered_at <= b.booked_at))) as "fromWaitlist"
       from bookings b join training_sessions s on s.id = b.session_id join users t on t.id = s.trainer_id
      where b.id = ?`,
    [bookingId],
  );
  return row;
}

/** A session as a message about it (without a booking) describes it. */
export async function sessionFacts(
  sql: Sql,
  sessionId: number,
): Promise<{ startsAt: Date; trainerName: string; location: string | null } | undefined> {
  const [row] = await sql<{ startsAt: Date; trainerName: string; location: string | null }>(
    `select s.starts_at as "startsAt", trim(t.first_name || ' ' || t.last_name) as "trainerName", s.location
       from training_sessions s join users t on t.id = s.trainer_id where s.id = ?`,
    [sessionId],
  );
  return row;
}

export interface PurchaseFacts {
  packageName: string;
  sessions: number;
  amountCents: number;
  currency: string;
  refundedCents: number;
  refundedSessions: number;
  expiresAt: Date | null;
}

export async function purchaseFacts(sql: Sql, purchaseId: number): Promise<PurchaseFacts | undefined> {
  const [row] = await sql<PurchaseFacts & Record<string, unknown>>(
    `select pk.name as "packageName", p.sessions, p.amount_cents as "amountCents", p.currency,
            p.refunded_cents as "refundedCents", p.refunded_sessions as "refundedSessions",
            (select expires_at from credit_lots where purchase_id = p.id and source = 'purchase' order by id limit 1) as "expiresAt"
       from purchases p join packages pk on pk.id = p.package_id
      where p.id = ?`,
    [purchaseId],
  );
  return row;
}

export async function lotFacts(sql: Sql, lotId: number): Promise<{ remaining: number; expiresAt: Date | null } | undefined> {
  const [row] = await sql<{ remaining: number; expiresAt: Date | null }>(
    `select remaining, expires_at as "expiresAt" from credit_lots where id = ?`,
    [lotId],
  );
  return row;
}

export async function markNotification(
  sql: Sql,
  id: number,
  outcome: { state: 'sent' | 'skipped' | 'failed'; subject?: string | null; error?: string | null },
): Promise<void> {
  await sql(
    `update notifications set state = ?, subject = coalesce(?, subject), last_error = ?,
        sent_at = case when ? = 'sent' then now() else sent_at end
      where id = ?`,
    [outcome.state, outcome.subject ?? null, outcome.error ?? null, outcome.state, id],
  );
}
