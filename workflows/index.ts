export { allocation } from './allocation.js';
export { bookToDeduct } from './book-to-deduct.js';
export { notificationDrainer } from './notification-drainer.js';
export { purchaseToCredit } from './purchase-to-credit.js';
export { cancelSession, rescheduleSession } from './session-change.js';
export { lotExpiry, lotExpiryBackfill } from './lot-expiry.js';
export { reconcileBooks } from './reconciliation.js';
export { waitlistPromotion } from './waitlist.js';
export { cancelSeries, editSeries } from './series-change.js';
