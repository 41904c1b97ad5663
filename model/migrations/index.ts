import { Migration20261127000000_initial } from './Migration20261127000000_initial.js';
import { Migration20261127090000_client_balances } from './Migration20261127090000_client_balances.js';
import { Migration20261127100000_purchase_progress } from './Migration20261127100000_purchase_progress.js';
import { Migration20261201090000_account_access } from './Migration20261201090000_account_access.js';
import { Migration20261201100000_idempotency_keys } from './Migration20261201100000_idempotency_keys.js';
import { Migration20261201110000_one_word_per_figure } from './Migration20261201110000_one_word_per_figure.js';
import { Migration20261201120000_dashboard_indexes } from './Migration20261201120000_dashboard_indexes.js';
import { Migration20261201123000_last_sign_in } from './Migration20261201123000_last_sign_in.js';
import { Migration20261201130000_reconciliation_runs } from './Migration20261201130000_reconciliation_runs.js';
import { Migration20261201140000_expired_credits_never_count } from './Migration20261201140000_expired_credits_never_count.js';
import { Migration20261201150000_change_events } from './Migration20261201150000_change_events.js';
import { Migration20261201120000_notification_delivery } from './Migration20261201120000_notification_delivery.js';
import { Migration20261202130000_client_figures } from './Migration20261202130000_client_figures.js';
import { Migration20261202120000_lots_taken } from './Migration20261202120000_lots_taken.js';
import { Migration20261202100000_waitlist } from './Migration20261202100000_waitlist.js';
import { Migration20261202150000_stripe_events } from './Migration20261202150000_stripe_events.js';
import { Migration20261203090000_waitlist_cancelled } from './Migration20261203090000_waitlist_cancelled.js';

export const migrationsList = [
  { name: 'Migration20261127000000_initial', class: Migration20261127000000_initial },
  { name: 'Migration20261127090000_client_balances', class: Migration20261127090000_client_balances },
  { name: 'Migration20261127100000_purchase_progress', class: Migration20261127100000_purchase_progress },
  { name: 'Migration20261201090000_account_access', class: Migration20261201090000_account_access },
  { name: 'Migration20261201100000_idempotency_keys', class: Migration20261201100000_idempotency_keys },
  { name: 'Migration20261201110000_one_word_per_figure', class: Migration20261201110000_one_word_per_figure },
  { name: 'Migration20261201120000_dashboard_indexes', class: Migration20261201120000_dashboard_indexes },
  { name: 'Migration20261201123000_last_sign_in', class: Migration20261201123000_last_sign_in },
  { name: 'Migration20261201130000_reconciliation_runs', class: Migration20261201130000_reconciliation_runs },
  { name: 'Migration20261201140000_expired_credits_never_count', class: Migration20261201140000_expired_credits_never_count },
  { name: 'Migration20261201150000_change_events', class: Migration20261201150000_change_events },
  { name: 'Migration20261201120000_notification_delivery', class: Migration20261201120000_notification_delivery },
  { name: 'Migration20261202130000_client_figures', class: Migration20261202130000_client_figures },
  { name: 'Migration20261202120000_lots_taken', class: Migration20261202120000_lots_taken },
  { name: 'Migration20261202100000_waitlist', class: Migration20261202100000_waitlist },
  { name: 'Migration20261202150000_stripe_events', class: Migration20261202150000_stripe_events },
  { name: 'Migration20261203090000_waitlist_cancelled', class: Migration20261203090000_waitlist_cancelled },
];
