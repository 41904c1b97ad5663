import type Stripe from 'stripe';
import type { Settings } from '../config/settings.js';
import type { Orm } from '../model/orm.js';
import { createBookingActivities } from './bookings.js';
import { createCreditActivities } from './credits.js';
import { createLotActivities } from './lots.js';
import { createNotificationActivities } from './notifications.js';
import { createPurchaseActivities } from './purchases.js';
import { createReconciliationActivities } from './reconciliation.js';
import { createSessionActivities } from './sessions.js';
import { createWaitlistActivities } from './waitlist.js';

export interface ActivityDependencies {
  orm: Orm;
  settings: Settings;
  /** Stripe's SDK client; omitted, it is built from settings (null: the local simulator). */
  stripe?: Stripe | null;
}

/** Every activity the worker registers, built over injected dependencies. */
export function createActivities(deps: ActivityDependencies) {
  return {
    ...createCreditActivities(deps),
    ...createLotActivities(deps),
    ...createBookingActivities(deps),
    ...createPurchaseActivities(deps),
    ...createSessionActivities(deps),
    ...createReconciliationActivities(deps),
    ...createNotificationActivities(deps),
    ...createWaitlistActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
