import { Context } from '@temporalio/activity';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import type { Settings } from '../config/settings.js';
import {
  expireLot,
  extendLot,
  lotExpiry,
  lotsWithExpiry,
  queueExpiryNotice,
  type ExtendRequest,
  type ExtendedLot,
  type LotExpiry,
} from '../model/lots.js';
import type { Orm } from '../model/orm.js';
import { inTransaction } from '../model/transaction.js';
import type { LotExpiryInput, lotExpiryStart } from '../workflows/definitions.js';
import { businessRules, currentTrace } from './failures.js';

export type { ExtendedLot, LotExpiry };

export interface LotPlan extends LotExpiry {
  /** The expiry notice goes out this long before the lot expires (POLICY_EXPIRY_NOTICE_DAYS); 0: none. */
  noticeBeforeMs: number;
}

const DAY_MS = 86_400_000;

/** The steps of a lot's expiry workflow, each one transaction, idempotent by the lot's ledger and outbox keys. */
export function createLotActivities({ orm, settings }: { orm: Orm; settings: Settings }) {
  async function loadLot(lotId: number): Promise<LotPlan | null> {
    const lot = await inTransaction(orm, (sql) => lotExpiry(sql, lotId));
    return lot ? { ...lot, noticeBeforeMs: settings.policies.expiryNoticeDays * DAY_MS } : null;
  }

  return {
    loadLot,

    /**
     * Starts the lot's expiry workflow with the lot as it stands, from a local activity of the
     * workflow that granted it: no child start, so the grant's workflow needs no second task,
     * and the new workflow needs no read. One running already is the same one; a closed one
     * is started again (a lot with credits to expire only loses its workflow by a terminate).
     */
    async startLotExpiry(start: ReturnType<typeof lotExpiryStart>): Promise<boolean> {
      const lot = await loadLot(start.lotId);
      if (!lot || lot.expiresAt === null) return false;
      const input: LotExpiryInput = {
        lotId: start.lotId,
        plan: { clientId: lot.clientId, expiresAt: lot.expiresAt, noticeBeforeMs: lot.noticeBeforeMs },
      };
      try {
        await Context.current().client.workflow.start('lotExpiry', {
          workflowId: start.workflowId,
          taskQueue: Context.current().info.taskQueue,
          args: [input],
          typedSearchAttributes: [{ key: start.clientIdKey, value: String(lot.clientId) }],
        });
        return true;
      } catch (error) {
        if (error instanceof WorkflowExecutionAlreadyStartedError) return false;
        throw error;
      }
    },

    /** At the lot's expiry: writes off what remains (once, under `lot:<id>:expire`) and answers the lot as it stands. */
    async expireLot(lotId: number): Promise<LotExpiry | null> {
      return (
        (await businessRules(() =>
          inTransaction(orm, (sql) => expireLot(sql, lotId, currentTrace(), settings.policies.lowBalanceThreshold)),
        )) ?? null
      );
    },

    async queueExpiryNotice(request: { lotId: number; expiresAt: string }): Promise<boolean> {
      return inTransaction(orm, (sql) => queueExpiryNotice(sql, request.lotId, request.expiresAt));
    },

    async extendLot(request: Omit<ExtendRequest, 'timeZone'>): Promise<ExtendedLot> {
      return businessRules(() =>
        inTransaction(orm, (sql) => extendLot(sql, { ...request, timeZone: settings.studio.timeZone }, currentTrace())),
      );
    },

    async lotsWithExpiry(request: { afterLotId: number; limit: number }): Promise<number[]> {
      return inTransaction(orm, (sql) => lotsWithExpiry(sql, request.afterLotId, request.limit));
    },
  };
}
