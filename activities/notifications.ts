import { Context } from '@temporalio/activity';
import nodemailer, { type Transporter } from 'nodemailer';
import type { Settings } from '../config/settings.js';
import { categoryOf, lockPending, markNotification } from '../model/notifications.js';
import type { Orm } from '../model/orm.js';
import { inTransaction, pgError, query } from '../model/transaction.js';
import { composeMessage, StaleNotification, UncomposableNotification } from './messages.js';

export interface DeliveryOutcome {
  id: number;
  state: 'sent' | 'skipped' | 'failed' | 'already';
}

/** Another attempt holds the row's lock: it is sending this very message right now. */
export class NotificationInFlight extends Error {
  override name = 'NotificationInFlight';
}

/** `booking:12:booked` → `<booking%3A12%3Abooked@studio.test>`: the key itself, escaped to what a Message-ID may hold. */
export function messageId(idempotencyKey: string, from: string): string {
  const domain = /@([^\s>]+)>?\s*$/.exec(from)?.[1] ?? 'studio-sessions.invalid';
  const left = encodeURIComponent(idempotencyKey).replace(/[()]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
  return `<${left}@${domain}>`;
}

/** An SMTP reply in the 5xx range: the server refuses this message for good, so retrying cannot help. */
function refusedForGood(error: unknown): boolean {
  const code = (error as { responseCode?: unknown }).responseCode;
  return typeof code === 'number' && code >= 500 && code < 600;
}

const describe = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 1_000);

/**
 * The outbox's sender. Each row is delivered by one activity call, idempotent by the row:
 *  1. the attempt is counted (committed on its own, so a crash still counts it);
 *  2. in one transaction the row is locked (NOWAIT: a concurrent attempt backs off and
 *     retries), the message is composed and sent over SMTP, and the row is marked sent
 *     with the server's acceptance, then the transaction commits.
 * A crash before the SMTP server accepts the message rolls the lock back and a retry
 * sends it; a crash after it is marked changes nothing. Only a crash between the
 * server's "250 accepted" and the commit reaching PostgreSQL (one local round trip)
 * leaves the row pending with the message delivered, and the retry sends it again with
 * the same Message-ID (the idempotency key), which a receiving system can collapse.
 */
export function createNotificationActivities({ orm, settings }: { orm: Orm; settings: Settings }) {
  let transport: Transporter | undefined;
  const mailer = () => {
    if (!settings.mail.smtpUrl) throw new Error('SMTP_URL is not set: no SMTP server to deliver the outbox to.');
    // One connection per message, never a pool: a pool re-sends a message on its own when a
    // connection drops, out of sight of the row's lock and the attempt count.
    transport ??= nodemailer.createTransport({
      url: settings.mail.smtpUrl,
      // Well inside the activity's timeouts, so a hung server fails this attempt rather than the worker's patience.
      connectionTimeout: 10_000,
      greetingTimeout: 10_000,
      socketTimeout: 20_000,
    } as Parameters<typeof nodemailer.createTransport>[0]);
    return transport;
  };
  const from = `"${settings.studio.name.replace(/["\\]/g, '')}" <${settings.mail.from}>`;

  return {
    /** The oldest pending rows, for the drainer to deliver next. */
    async pendingNotifications(request: { limit: number }): Promise<number[]> {
      const rows = await query<{ id: number }>(
        orm,
        `select id::int as id from notifications where state = 'pending' order by created_at, id limit ?`,
        [request.limit],
      );
      return rows.map((row) => row.id);
    },

    sendNotification,

    /**
     * A drainer wake-up's rows, each delivered as `sendNotification` delivers it, side by
     * side. A row that could not be sent fails the call once the others were tried, so the
     * retry finds those already sent and sends only what is still pending.
     */
    async sendNotifications(ids: number[]): Promise<DeliveryOutcome[]> {
      const outcomes = await Promise.allSettled(ids.map(sendNotification));
      const failed = outcomes.find((outcome) => outcome.status === 'rejected');
      if (failed) throw failed.reason;
      return outcomes.map((outcome) => (outcome as PromiseFulfilledResult<DeliveryOutcome>).value);
    },
  };

  async function sendNotification(id: number): Promise<DeliveryOutcome> {
    const context = Context.current();
    context.heartbeat();
    // Heartbeats tell Temporal this attempt lives, so a killed worker's attempt is retried within seconds.
    const beating = setInterval(() => context.heartbeat(), 1_000);
    try {
      // Counted in a transaction of its own, so an attempt that crashes later is still on the record.
      const counted = await inTransaction(orm, (sql) =>
        sql(`update notifications set attempts = attempts + 1, last_attempt_at = now() where id = ? and state = 'pending' returning id`, [
          id,
        ]),
      );
      if (counted.length === 0) return { id, state: 'already' };
      return await inTransaction(orm, async (sql): Promise<DeliveryOutcome> => {
        const row = await lockPending(sql, id);
        if (!row) return { id, state: 'already' };
        const category = categoryOf(row.kind);
        if ((category === 'reminder' && !row.emailReminders) || (category === 'nudge' && !row.emailNudges)) {
          await markNotification(sql, id, { state: 'skipped', error: `the client opted out of ${category}s` });
          return { id, state: 'skipped' };
        }
        let message;
        try {
          message = await composeMessage(sql, row, settings.studio);
        } catch (error) {
          if (error instanceof StaleNotification) {
            await markNotification(sql, id, { state: 'skipped', error: error.message });
            return { id, state: 'skipped' };
          }
          if (!(error instanceof UncomposableNotification)) throw error;
          await markNotification(sql, id, { state: 'failed', error: error.message });
          return { id, state: 'failed' };
        }
        try {
          await mailer().sendMail({
            from,
            to: row.email,
            subject: message.subject,
            text: message.text,
            html: message.html,
            messageId: messageId(row.idempotencyKey, settings.mail.from),
            headers: { 'X-Studio-Notification': row.kind },
          });
        } catch (error) {
          if (!refusedForGood(error)) throw error;
          await markNotification(sql, id, { state: 'failed', subject: message.subject, error: describe(error) });
          return { id, state: 'failed' };
        }
        await markNotification(sql, id, { state: 'sent', subject: message.subject });
        return { id, state: 'sent' };
      });
    } catch (error) {
      // NOWAIT, or the lock timeout of the count: another attempt holds the row while it sends.
      if (pgError(error)?.code === '55P03') throw new NotificationInFlight(`notification ${id} is being sent by another attempt`);
      await query(orm, `update notifications set last_error = ? where id = ? and state = 'pending'`, [describe(error), id]);
      throw error;
    } finally {
      clearInterval(beating);
    }
  }
}
