/**
 * The names every process shares with the workflows: task queue, workflow ids, search
 * attributes, signals, updates and their payloads.
 * It imports only Temporal's definition helpers, so the API, the worker and the
 * workflow sandbox can all import it.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ChangedSeriesSession, SeriesChanges, SessionChanges } from '../activities/sessions.js';
import type { Actor } from '../model/vocabulary.js';

export const DEFAULT_TASK_QUEUE = 'studio-sessions';

/**
 * The Temporal header that carries the HTTP request's id (`x-request-id`) from the API's
 * calls into the workflow they reach, and from there into the activities it schedules, so
 * one id names a request's log lines in the API and in the worker.
 */
export const REQUEST_ID_HEADER = 'request-id';

/** Registered on the dev server at start and by the worker on an external cluster. */
export const SEARCH_ATTRIBUTES = {
  ClientId: 'Keyword',
  SessionId: 'Keyword',
  PurchaseId: 'Keyword',
} as const;

export const ClientIdKey = defineSearchAttributeKey('ClientId', SearchAttributeType.KEYWORD);
export const SessionIdKey = defineSearchAttributeKey('SessionId', SearchAttributeType.KEYWORD);
export const PurchaseIdKey = defineSearchAttributeKey('PurchaseId', SearchAttributeType.KEYWORD);

export const bookingWorkflowId = (sessionId: number, clientId: number) => `booking-${sessionId}-${clientId}`;
export const allocationWorkflowId = (idempotencyKey: string) => `allocation-${idempotencyKey}`;
export const purchaseWorkflowId = (purchaseId: number) => `purchase-${purchaseId}`;
/** One per credit lot with an expiry: granting, backfilling or extending it again finds the same one. */
export const lotExpiryWorkflowId = (lotId: number) => `lot-expiry-${lotId}`;
/** One per task queue: starts the workflows of lots granted before lots had them. */
export const lotExpiryBackfillWorkflowId = (taskQueue: string) => `lot-expiry-backfill-${taskQueue}`;
/** One cancellation per session: a repeat joins it. */
export const sessionCancelWorkflowId = (sessionId: number) => `session-cancel-${sessionId}`;
/** One reschedule of a session at a time, so its bookings hear the moves in the order they were made. */
export const sessionRescheduleWorkflowId = (sessionId: number) => `session-reschedule-${sessionId}`;
/** One change of a series per request (its Idempotency-Key): a repeat joins it, or reads its result. */
export const seriesEditWorkflowId = (seriesId: string, key: string) => `series-edit-${seriesId}-${key}`;
export const seriesCancelWorkflowId = (seriesId: string, key: string) => `series-cancel-${seriesId}-${key}`;
/** One outbox drainer per task queue (each task queue's workers share one database). */
export const notificationDrainerWorkflowId = (taskQueue: string) => `notification-drainer-${taskQueue}`;

/** One per session with a waitlist: the single writer of its promotions. */
export const waitlistWorkflowId = (sessionId: number) => `waitlist-${sessionId}`;

/** The Schedule that checks the books, one per task queue (so test stacks each have their own). */
export const reconciliationScheduleId = (taskQueue: string) => `reconciliation-${taskQueue}`;

export interface AllocationInput {
  idempotencyKey: string;
  clientId: number;
  /** Positive grants, negative removes (never below zero). */
  sessions: number;
  reason: string;
  expiresAt?: string | null;
  actor: Actor;
}

export interface AllocationResult {
  clientId: number;
  sessions: number;
  balanceAfter: number;
  ledgerEntryId: number;
}

export interface BookingInput {
  sessionId: number;
  clientId: number;
  actor: Actor;
  /** Admin only: a recorded booking that holds no credit. */
  complimentary: boolean;
  /** Timer policies in milliseconds, inputs so tests can run them in seconds. */
  reminderBeforeMs: number;
  autoCompleteAfterMs: number;
  /** How long a workflow with no booking request waits for one (a minute unless a test says otherwise). */
  awaitBookingMs?: number;
}

/**
 * How a booking's workflow is started, the same for the booking route and for the waitlist's
 * promotion: one workflow per session and client, joined if it is already running.
 */
export function bookingStartOptions(input: BookingInput) {
  return {
    workflowId: bookingWorkflowId(input.sessionId, input.clientId),
    args: [input] as [BookingInput],
    workflowIdConflictPolicy: 'USE_EXISTING' as const,
    typedSearchAttributes: [
      { key: ClientIdKey, value: String(input.clientId) },
      { key: SessionIdKey, value: String(input.sessionId) },
    ],
  };
}

export interface BookingOutcome {
  bookingId: number;
  sessionId: number;
  clientId: number;
  status: string;
  creditState: string;
  startsAt: string;
  bookedAt: string;
  availableAfter: number;
}

export interface CancelRequest {
  actor: Actor;
  reason?: string;
  /** Admin only: release the credit even when the cancel is late. */
  waive?: boolean;
}

export interface CancelOutcome {
  bookingId: number;
  status: 'cancelled' | 'late_cancelled';
  credit: 'released' | 'forfeited' | 'expired' | 'complimentary';
  availableAfter: number;
}

export const bookUpdate = defineUpdate<BookingOutcome>('book');
export const cancelUpdate = defineUpdate<CancelOutcome, [CancelRequest]>('cancel');
export const confirmSignal = defineSignal<[Actor]>('confirm');
export const completeSignal = defineSignal<[Actor]>('complete');
export const noShowSignal = defineSignal<[Actor]>('noShow');
/** The session moved: the booking's timers follow it. */
export const rescheduledSignal = defineSignal<[{ startsAt: string; endsAt: string }]>('rescheduled');
/** The studio cancelled the whole session: the booking is cancelled and its credit released, however late. */
export const sessionCancelledSignal = defineSignal<[{ actor: Actor; reason: string }]>('sessionCancelled');
export const bookingStateQuery = defineQuery<{ phase: string; bookingId: number | null; status: string }>('bookingState');

// ---------------------------------------------------------------------------------------
// Credit lots: expiry on time, and an admin's extension

export interface LotExpiryInput {
  lotId: number;
  /**
   * The lot as it stood when its workflow was started, so the first task needs no read.
   * Runs started as child workflows (before 2026-12-02) have none and read the lot first.
   */
  plan?: LotExpiryPlan;
}

export interface LotExpiryPlan {
  clientId: number;
  /** ISO 8601. */
  expiresAt: string;
  /** The expiry notice goes out this long before the lot expires (POLICY_EXPIRY_NOTICE_DAYS); 0: none. */
  noticeBeforeMs: number;
}

/**
 * How a lot's expiry workflow is started, handed to the local activity that starts it once
 * it has read the lot (activities/lots.ts), as bookingStartOptions is to the waitlist's.
 */
export function lotExpiryStart(lotId: number) {
  return { lotId, workflowId: lotExpiryWorkflowId(lotId), clientIdKey: ClientIdKey };
}

export interface LotExpiryResult {
  lotId: number;
  /** When it expired; null when it never expires or does not exist. */
  expiresAt: string | null;
  /** Notices written to the outbox, one per expiry date. */
  notices: number;
}

export interface ExtendLotRequest {
  expiresAt: string;
  reason: string;
  actor: Actor;
}

export interface ExtendLotOutcome {
  lotId: number;
  clientId: number;
  remaining: number;
  expiresAt: string;
  ledgerEntryId: number;
}

export const extendLotUpdate = defineUpdate<ExtendLotOutcome, [ExtendLotRequest]>('extendLot');

// ---------------------------------------------------------------------------------------
// Session changes: a whole session cancelled or moved, fanned out to its bookings' workflows

export interface SessionCancelInput {
  sessionId: number;
  actor: Actor;
  reason: string;
  /** How long to wait for the bookings' workflows before cancelling what is left directly. */
  bookingsWaitMs: number;
}

export interface SessionRescheduleInput {
  sessionId: number;
  actor: Actor;
  changes: SessionChanges;
}

/** A weekly series from a date on: every session of it that has not begun and can still change. */
export interface SeriesEditInput {
  seriesId: string;
  from: string;
  actor: Actor;
  changes: SeriesChanges;
  /**
   * The sessions the request found from `from` on. The edit changes exactly these, so a
   * step replayed after its rows moved (perhaps to before `from`) changes the same ones.
   * Absent from edits started before it was added, which select by `from` as they did.
   */
  sessionIds?: number[];
}

export interface SeriesEditOutcome {
  sessions: ChangedSeriesSession[];
}

export interface SeriesCancelInput {
  seriesId: string;
  from: string;
  actor: Actor;
  reason: string;
  /** Each session's cancel waits this long for its bookings' workflows (as a single session's does). */
  bookingsWaitMs: number;
}

export interface SeriesCancelOutcome {
  sessions: Array<{ sessionId: number; bookings: CancelOutcome[] }>;
}

// ---------------------------------------------------------------------------------------
// The waitlist: one workflow per session promotes waiting clients into freed seats

export interface WaitlistInput {
  sessionId: number;
  /** Carried across continue-as-new, so the result counts the whole life of the waitlist. */
  promoted?: number;
  closed?: number;
}

export interface WaitlistResult {
  sessionId: number;
  /** Entries booked into a freed seat. */
  promoted: number;
  /** Entries closed without a seat: skipped for want of a credit, booked directly, expired at the cutoff. */
  closed: number;
}

/**
 * Something the waitlist depends on changed: a client joined, a seat freed (a cancel, a
 * booking that gave its seat back, a larger capacity), the session moved or was cancelled.
 */
export const waitlistChangedSignal = defineSignal('waitlistChanged');

/** Who the ledger and the booking name when the waitlist books a client. */
export const WAITLIST_ACTOR: Actor = { id: 'waitlist', role: 'system' };

/** One booking attempt per offer of a seat: a retried promotion joins it, a later offer is a new one. */
export const waitlistUpdateId = (entryId: number, offerId: string) => `waitlist-${entryId}-${offerId}`;

// ---------------------------------------------------------------------------------------
// The outbox's drainer

export interface NotificationDrainerInput {
  /** Looks for pending rows this often even when no write woke it. */
  sweepIntervalMs: number;
}

/** Rows were written to the outbox: deliver them now rather than at the next sweep. */
export const outboxWrittenSignal = defineSignal('outboxWritten');

// ---------------------------------------------------------------------------------------
// Purchases (purchase-to-credit)

export interface PurchaseInput {
  purchaseId: number;
  /** The workflow stays open this long after payment for refunds and disputes (a setting; seconds in tests). */
  refundWindowMs: number;
  /** An unpaid checkout is given up (status expired) after this long. */
  paymentWaitMs: number;
}

/** The facts of a verified Stripe event the workflow decides on; small, because it lives in history. */
export interface CheckoutEvent {
  eventId: string;
  /** Stripe's clock, seconds since the epoch. */
  created: number;
  kind: 'completed' | 'async_payment_succeeded' | 'async_payment_failed' | 'expired';
  checkoutSessionId: string;
  paymentIntentId: string | null;
  /** `paid`, `unpaid` (an async method still settling) or `no_payment_required`. */
  paymentStatus: string;
}

export interface RefundEvent {
  eventId: string;
  created: number;
  paymentIntentId: string | null;
  /** Cumulative over the charge, so a stale or repeated event never lowers what is known. */
  amountRefunded: number;
  refunds: Array<{ id: string; amount: number; status: string }>;
}

export interface DisputeEvent {
  eventId: string;
  created: number;
  disputeId: string;
  /** Stripe's dispute status: needs_response, under_review, won, lost, warning_closed, … */
  status: string;
  paymentIntentId: string | null;
}

export const paymentSignal = defineSignal<[CheckoutEvent]>('payment');
export const refundSignal = defineSignal<[RefundEvent]>('refund');
export const disputeSignal = defineSignal<[DisputeEvent]>('dispute');

/** An admin refund: by sessions, by amount, or (neither) everything still refundable. */
export interface AdminRefundRequest {
  sessions?: number;
  amountCents?: number;
  reason?: string;
  actor: Actor;
}

export interface PurchaseView {
  purchaseId: number;
  status: string;
  paid: boolean;
  refundedCents: number;
  refundedSessions: number;
  sessionsOwed: number;
  disputeStatus: 'open' | 'won' | 'lost' | null;
  disputeHeld: number;
  eventsSeen: number;
}

export interface AdminRefundOutcome extends PurchaseView {
  refundId: string;
  amountCents: number;
}

export const issueRefundUpdate = defineUpdate<AdminRefundOutcome, [AdminRefundRequest]>('issueRefund');
export const purchaseStateQuery = defineQuery<PurchaseView>('purchaseState');
