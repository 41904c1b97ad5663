import { Booking } from './booking.js';
import { ClientBalance } from './client-balance.js';
import { CreditLot } from './credit-lot.js';
import { LedgerEntry } from './ledger-entry.js';
import { Notification } from './notification.js';
import { Package } from './package.js';
import { Purchase } from './purchase.js';
import { ReconciliationRun } from './reconciliation-run.js';
import { TrainingSession } from './training-session.js';
import { User } from './user.js';
import { WaitlistEntry } from './waitlist-entry.js';

export {
  Booking,
  ClientBalance,
  CreditLot,
  LedgerEntry,
  Notification,
  Package,
  Purchase,
  ReconciliationRun,
  TrainingSession,
  User,
  WaitlistEntry,
};

/**
 * Every table but two has its entity: rate_limit_windows and idempotency_keys are only
 * ever touched by an upsert whose RETURNING is the answer, so they stay SQL-only.
 */
export const entities = [
  User,
  Package,
  Purchase,
  CreditLot,
  LedgerEntry,
  TrainingSession,
  Booking,
  Notification,
  ClientBalance,
  ReconciliationRun,
  WaitlistEntry,
];
