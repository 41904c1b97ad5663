import { Migration20261127000000_initial } from './Migration20261127000000_initial.js';
import { Migration20261127090000_client_balances } from './Migration20261127090000_client_balances.js';
import { Migration20261127100000_purchase_progress } from './Migration20261127100000_purchase_progress.js';
import { Migration20261201090000_account_access } from './Migration20261201090000_account_access.js';
import { Migration20261201100000_idempotency_keys } from './Migration20261201100000_idempotency_keys.js';
import { Migration20261201110000_one_word_per_figure } from './Migration20261201110000_one_word_per_figure.js';
import { Migration20261201120000_notification_delivery } from './Migration20261201120000_notification_delivery.js';

export const migrationsList = [
  { name: 'Migration20261127000000_initial', class: Migration20261127000000_initial },
  { name: 'Migration20261127090000_client_balances', class: Migration20261127090000_client_balances },
  { name: 'Migration20261127100000_purchase_progress', class: Migration20261127100000_purchase_progress },
  { name: 'Migration20261201090000_account_access', class: Migration20261201090000_account_access },
  { name: 'Migration20261201100000_idempotency_keys', class: Migration20261201100000_idempotency_keys },
  { name: 'Migration20261201110000_one_word_per_figure', class: Migration20261201110000_one_word_per_figure },
  { name: 'Migration20261201120000_notification_delivery', class: Migration20261201120000_notification_delivery },
];
