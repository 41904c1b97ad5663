import { Notification } from './entities/notification.js';
import type { Orm } from './orm.js';

/** The outbox's backlog: notifications written and not yet sent (the partial index notifications_unsent_idx serves it). */
export function unsentNotifications(orm: Orm): Promise<number> {
  return orm.em.fork().count(Notification, { sentAt: null });
}
