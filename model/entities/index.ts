import { Booking } from './booking.js';
import { CreditLot } from './credit-lot.js';
import { LedgerEntry } from './ledger-entry.js';
import { Notification } from './notification.js';
import { Package } from './package.js';
import { Purchase } from './purchase.js';
import { TrainingSession } from './training-session.js';
import { User } from './user.js';

export { Booking, CreditLot, LedgerEntry, Notification, Package, Purchase, TrainingSession, User };

export const entities = [User, Package, Purchase, CreditLot, LedgerEntry, TrainingSession, Booking, Notification];
