import type { Settings } from '../config/settings.js';
import { queueLowBalance } from '../model/notifications.js';
import type { Orm } from '../model/orm.js';

import { DomainError, ErrorCode } from '../model/errors.js';
import { appendEntry, findEntry, insertLot, lockClient, takeCredits, type LedgerEntryRow } from '../model/ledger.js';
import { inTransaction } from '../model/transaction.js';
import { businessRules, currentTrace } from './failures.js';

export interface GrantRequest {
  idempotencyKey: string;
  clientId: number;
  quantity: number;
  source: 'purchase' | 'allocation' | 'restore';
  purchaseId?: number | null;
  expiresAt?: string | null;
  actor: string;
  reason: string;
}

export interface RemoveRequest {
  idempotencyKey: string;
  clientId: number;
  quantity: number;
  kind: 'adjust' | 'revoke';
  /** Only this purchase's lots (a refund takes back what it paid for). */
  purchaseId?: number | null;
  /** Refuse when fewer are available (admin corrections); otherwise take what there is. */
  exact: boolean;
  actor: string;
  reason: string;
}

export interface LedgerOutcome {
  entry: LedgerEntryRow;
  /** True when an earlier attempt with the same key already did the work. */
  replayed: boolean;
}

/** Grants, corrections and revocations: each one transaction, one entry, idempotent by key. */
/** Built without settings (the demo seeder, scripts) it queues no low-balance nudges. */
export function createCreditActivities({ orm, settings }: { orm: Orm; settings?: Settings }) {
  return {
    async grantCredits(request: GrantRequest): Promise<LedgerOutcome> {
      return businessRules(() =>
        inTransaction(orm, async (sql) => {
          await lockClient(sql, request.clientId, currentTrace());
          const earlier = await findEntry(sql, request.idempotencyKey);
          if (earlier) return { entry: earlier, replayed: true };
          if (!Number.isInteger(request.quantity) || request.quantity <= 0) {
            throw new DomainError(ErrorCode.InvalidRequest, 'A grant needs a positive whole number of sessions.');
          }
          const expiresAt = request.expiresAt ? new Date(request.expiresAt) : null;
          if (expiresAt && expiresAt.getTime() <= Date.now()) {
            throw new DomainError(ErrorCode.InvalidRequest, 'The expiry date must be in the future.');
          }
          const lotId = await insertLot(sql, {
            clientId: request.clientId,
            quantity: request.quantity,
            source: request.source,
            purchaseId: request.purchaseId ?? null,
            expiresAt,
          });
          const entry = await appendEntry(sql, {
            clientId: request.clientId,
            kind: 'grant',
            delta: request.quantity,
            lotId,
            purchaseId: request.purchaseId ?? null,
            actor: request.actor,
            reason: request.reason,
            idempotencyKey: request.idempotencyKey,
            trace: currentTrace(),
          });
          return { entry, replayed: false };
        }),
      );
    },

    async removeCredits(request: RemoveRequest): Promise<LedgerOutcome & { shortfall: number }> {
      return businessRules(() =>
        inTransaction(orm, async (sql) => {
          const balance = await lockClient(sql, request.clientId, currentTrace());
          const earlier = await findEntry(sql, request.idempotencyKey);
          if (earlier) return { entry: earlier, replayed: true, shortfall: request.quantity + earlier.delta };
          if (!Number.isInteger(request.quantity) || request.quantity <= 0) {
            throw new DomainError(ErrorCode.InvalidRequest, 'A removal needs a positive whole number of sessions.');
          }
          if (request.exact && request.quantity > balance.available) {
            throw new DomainError(
              ErrorCode.InvalidRequest,
              `Cannot remove ${request.quantity} sessions: the client has only ${balance.available} available.`,
              { availableSessions: balance.available },
            );
          }
          const lotsTaken = await takeCredits(sql, request.clientId, request.quantity, request.purchaseId ?? undefined);
          const taken = lotsTaken.reduce((sum, lot) => sum + lot.sessions, 0);
          const entry = await appendEntry(sql, {
            clientId: request.clientId,
            kind: request.kind,
            delta: -taken,
            purchaseId: request.purchaseId ?? null,
            lotsTaken,
            actor: request.actor,
            reason: taken < request.quantity ? `${request.reason} (${request.quantity - taken} already used or expired)` : request.reason,
            idempotencyKey: request.idempotencyKey,
            trace: currentTrace(),
          });
          if (settings) await queueLowBalance(sql, entry, settings.policies.lowBalanceThreshold);
          return { entry, replayed: false, shortfall: request.quantity - taken };
        }),
      );
    },
  };
}
