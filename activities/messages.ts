import type { Settings } from '../config/settings.js';
import { bookingFacts, lotFacts, purchaseFacts, sessionFacts, type PendingNotification } from '../model/notifications.js';
import type { Sql } from '../model/transaction.js';

/** One email: plain text and the same words as simple HTML. */
export interface Message {
  subject: string;
  text: string;
  html: string;
}

/** A row whose news is out of date before it went out (a reminder for a booking since cancelled or moved): skipped. */
export class StaleNotification extends Error {
  override name = 'StaleNotification';
}

/** A row the composer cannot turn into a message (an unknown kind, a missing record): delivery fails for good. */
export class UncomposableNotification extends Error {
  override name = 'UncomposableNotification';
}

type Studio = Settings['studio'];

/** Every time a client reads is the studio's wall clock, with its zone named ("GMT-5" would leave them guessing). */
export function studioTime(studio: Studio, at: Date): string {
  return (
    new Intl.DateTimeFormat('en-GB', {
      timeZone: studio.timeZone,
      weekday: 'long',
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
    }).format(at) + ` (${studio.timeZone.replace(/_/g, ' ')})`
  );
}

function studioDate(studio: Studio, at: Date): string {
  return new Intl.DateTimeFormat('en-GB', { timeZone: studio.timeZone, day: 'numeric', month: 'long', year: 'numeric' }).format(at);
}

function money(cents: number, currency: string): string {
  // en-US writes every currency by its own sign ($, £, €); en-GB would write dollars "US$".
  return new Intl.NumberFormat('en-US', { style: 'currency', currency: currency.toUpperCase() }).format(cents / 100);
}

const credits = (n: number) => `${n} ${n === 1 ? 'credit' : 'credits'}`;

function duration(minutes: number): string {
  if (minutes % 1440 === 0) return `${minutes / 1440} ${minutes === 1440 ? 'day' : 'days'}`;
  if (minutes % 60 === 0) return `${minutes / 60} ${minutes === 60 ? 'hour' : 'hours'}`;
  return `${minutes} minutes`;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char]!);

/** The letter around a message's paragraphs: greeting, the paragraphs, the studio's signature. */
function letter(studio: Studio, firstName: string, subject: string, paragraphs: string[], footer: string): Message {
  const greeting = firstName ? `Hi ${firstName},` : 'Hello,';
  const text = [greeting, ...paragraphs, `— ${studio.name}`, footer].join('\n\n') + '\n';
  const html = [
    '<!doctype html><html><body style="font-family: sans-serif; line-height: 1.5; color: #222">',
    `<h2 style="margin: 0 0 1em">${escapeHtml(studio.name)}</h2>`,
    `<p>${escapeHtml(greeting)}</p>`,
    ...paragraphs.map((paragraph) => `<p>${escapeHtml(paragraph)}</p>`),
    `<p>— ${escapeHtml(studio.name)}</p>`,
    `<p style="color: #777; font-size: 0.85em">${escapeHtml(footer)}</p>`,
    '</body></html>',
  ].join('\n');
  return { subject: `${subject} · ${studio.name}`, text, html };
}

const numberIn = (payload: Record<string, unknown>, name: string): number => {
  const value = Number(payload[name]);
  if (!Number.isInteger(value)) throw new UncomposableNotification(`payload.${name} is missing`);
  return value;
};

/** Reads what the message says (in the delivering transaction) and writes it in the studio's words and zone. */
export async function composeMessage(sql: Sql, row: PendingNotification, studio: Studio): Promise<Message> {
  const receipt = 'You receive this because of a change to your account; receipts are always sent.';
  const optional = (what: string) => `You can turn off ${what} in your account's email preferences.`;
  const session = async () => {
    const booking = await bookingFacts(sql, numberIn(row.payload, 'bookingId'));
    if (!booking) throw new UncomposableNotification(`booking ${String(row.payload.bookingId)} no longer exists`);
    const where = booking.location ? ` at ${booking.location}` : '';
    return {
      booking,
      what: `your session with ${booking.trainerName || 'your trainer'} on ${studioTime(studio, booking.startsAt)}${where}`,
    };
  };
  /** The session a waitlist message is about (the client holds no booking in it). */
  const waitedSession = async () => {
    const facts = await sessionFacts(sql, numberIn(row.payload, 'sessionId'));
    if (!facts) throw new UncomposableNotification(`session ${String(row.payload.sessionId)} no longer exists`);
    const where = facts.location ? ` at ${facts.location}` : '';
    return {
      when: studioTime(studio, facts.startsAt),
      what: `the session with ${facts.trainerName || 'your trainer'} on ${studioTime(studio, facts.startsAt)}${where}`,
    };
  };

  switch (row.kind) {
    case 'booking.booked': {
      const { booking, what } = await session();
      if (booking.fromWaitlist) throw new StaleNotification("the waitlist's promotion message confirms this booking");
      return letter(
        studio,
        row.firstName,
        `Booked: ${studioTime(studio, booking.startsAt)}`,
        [
          `You are booked for ${what}.`,
          booking.creditState === 'complimentary'
            ? 'This session is on the house: no credit was used.'
            : `One credit is held for it; you have ${credits(row.available)} available.`,
          `Cancel at least ${duration(booking.cancelWindowMinutes)} before the start and the credit comes back to you.`,
        ],
        receipt,
      );
    }
    case 'waitlist.promoted': {
      const { booking, what } = await session();
      return letter(
        studio,
        row.firstName,
        `From the waitlist: booked for ${studioTime(studio, booking.startsAt)}`,
        [
          `Good news: a seat freed up and we have booked you from the waitlist for ${what}.`,
          `One credit is held for it; you have ${credits(row.available)} available.`,
          `Cancel at least ${duration(booking.cancelWindowMinutes)} before the start and the credit comes back to you.`,
        ],
        receipt,
      );
    }
    case 'waitlist.skipped': {
      const { when, what } = await waitedSession();
      return letter(
        studio,
        row.firstName,
        `A seat freed up for ${when}`,
        [
          `A seat freed up in ${what}, but you had no credit to book it with, so it went to the next person on the waitlist.`,
          'You are no longer on its waitlist. Buy a package, then book the session or join its waitlist again.',
        ],
        receipt,
      );
    }
    case 'waitlist.cancelled': {
      const { when, what } = await waitedSession();
      return letter(
        studio,
        row.firstName,
        `Cancelled: ${when} (you were on its waitlist)`,
        [
          `The studio has cancelled ${what}, whose waitlist you were on.`,
          'You are no longer on its waitlist, and no credit of yours was used. Pick another session to book or to wait for.',
        ],
        receipt,
      );
    }
    case 'booking.cancelled': {
      const { booking, what } = await session();
      const credit = String(row.payload.credit ?? '');
      const outcome =
        credit === 'forfeited'
          ? `It was cancelled less than ${duration(booking.cancelWindowMinutes)} before the start, so its credit is forfeited.`
          : credit === 'released'
            ? `Its credit has been returned to you; you have ${credits(row.available)} available.`
            : credit === 'expired'
              ? 'Its credit had already passed its expiry date, so it could not be returned.'
              : 'No credit was held for it.';
      return letter(
        studio,
        row.firstName,
        `Cancelled: ${studioTime(studio, booking.startsAt)}`,
        [`We have cancelled ${what}.`, outcome],
        receipt,
      );
    }
    case 'booking.reminder': {
      const { booking, what } = await session();
      if (booking.status !== 'scheduled' && booking.status !== 'confirmed') {
        throw new StaleNotification(`the booking was ${booking.status.replace('_', ' ')} before its reminder went out`);
      }
      // A moved session has a reminder of its own for the new start.
      if (row.payload.startsAt && new Date(String(row.payload.startsAt)).getTime() !== booking.startsAt.getTime()) {
        throw new StaleNotification('the session moved; the reminder for its new time replaces this one');
      }
      return letter(
        studio,
        row.firstName,
        `Reminder: ${studioTime(studio, booking.startsAt)}`,
        [
          `A reminder of ${what}.`,
          `See you there! If you cannot make it, cancel at least ${duration(booking.cancelWindowMinutes)} before the start to keep your credit.`,
        ],
        optional('reminders'),
      );
    }
    case 'credits.expiring': {
      const lot = typeof row.payload.lotId === 'number' ? await lotFacts(sql, row.payload.lotId) : undefined;
      const expiresAt = lot?.expiresAt ?? (row.payload.expiresAt ? new Date(String(row.payload.expiresAt)) : null);
      const remaining = lot?.remaining ?? Number(row.payload.remaining ?? row.payload.quantity ?? 0);
      if (!expiresAt || Number.isNaN(expiresAt.getTime())) throw new UncomposableNotification('the expiring lot has no expiry');
      return letter(
        studio,
        row.firstName,
        `${credits(remaining)} ${remaining === 1 ? 'expires' : 'expire'} on ${studioDate(studio, expiresAt)}`,
        [
          `${credits(remaining)} of yours ${remaining === 1 ? 'expires' : 'expire'} on ${studioTime(studio, expiresAt)}.`,
          'Book a session before then to use them.',
        ],
        optional('nudges'),
      );
    }
    case 'credits.low':
      return letter(
        studio,
        row.firstName,
        `You have ${credits(numberIn(row.payload, 'available'))} left`,
        [
          `You have ${credits(numberIn(row.payload, 'available'))} left for booking sessions.`,
          'Buy a package to keep your sessions going.',
        ],
        optional('nudges'),
      );
    case 'purchase.paid':
    case 'purchase.refunded': {
      const purchase = await purchaseFacts(sql, numberIn(row.payload, 'purchaseId'));
      if (!purchase) throw new UncomposableNotification(`purchase ${String(row.payload.purchaseId)} no longer exists`);
      if (row.kind === 'purchase.paid') {
        return letter(
          studio,
          row.firstName,
          `Receipt: ${purchase.packageName}, ${money(purchase.amountCents, purchase.currency)}`,
          [
            `Thank you for buying ${purchase.packageName}: ${money(purchase.amountCents, purchase.currency)} for ${credits(purchase.sessions)}.`,
            purchase.expiresAt
              ? `The credits are yours to book with until ${studioTime(studio, purchase.expiresAt)}.`
              : 'The credits never expire.',
            `Purchase #${numberIn(row.payload, 'purchaseId')}.`,
          ],
          receipt,
        );
      }
      const refundedCents = numberIn(row.payload, 'refundedCents');
      const refundedSessions = Number(row.payload.refundedSessions ?? purchase.refundedSessions);
      return letter(
        studio,
        row.firstName,
        `Refund: ${money(refundedCents, purchase.currency)} for ${purchase.packageName}`,
        [
          `We have refunded ${money(refundedCents, purchase.currency)} of the ${money(purchase.amountCents, purchase.currency)} you paid for ${purchase.packageName}.`,
          `${credits(refundedSessions)} of the package's ${purchase.sessions} are taken back; you have ${credits(row.available)} available.`,
          `Purchase #${numberIn(row.payload, 'purchaseId')}. The money reaches your card in a few days.`,
        ],
        receipt,
      );
    }
    default:
      throw new UncomposableNotification(`no message is written for notifications of kind "${row.kind}"`);
  }
}
