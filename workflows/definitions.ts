/**
 * The names every process shares with the workflows: task queue, workflow ids, search
 * attributes, signals, updates and their payloads.
 * It imports only Temporal's definition helpers, so the API, the worker and the
 * workflow sandbox can all import it.
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export const DEFAULT_TASK_QUEUE = 'studio-sessions';

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

/** Who acts: a user id, or `stripe` / `system` for automatic flows. */
export interface Actor {
  id: string;
  role: 'admin' | 'trainer' | 'client' | 'stripe' | 'system';
}

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
  complimentary: boolean;
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
export const bookingStateQuery = defineQuery<{ status: string; creditState: string }>('bookingState');
