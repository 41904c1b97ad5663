import {
  ActivityFailure,
  allHandlersFinished,
  ApplicationFailure,
  condition,
  continueAsNew,
  ParentClosePolicy,
  patched,
  proxyLocalActivities,
  setHandler,
  sleep,
  startChild,
  upsertSearchAttributes,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import type { Activities } from '../activities/index.js';
import { actorLabel } from '../model/vocabulary.js';
import {
  ClientIdKey,
  extendLotUpdate,
  lotExpiryStart,
  lotExpiryWorkflowId,
  type LotExpiryInput,
  type LotExpiryPlan,
  type LotExpiryResult,
} from './definitions.js';
import { nextLotStep } from './lot-plan.js';

// Short database transactions. No attempt limit: a database outage delays an expiry, it must never skip one.
const lots = proxyLocalActivities<Activities>({
  startToCloseTimeout: '10 seconds',
  retry: { initialInterval: '200 milliseconds', backoffCoefficient: 2, maximumInterval: '30 seconds' },
});

/** The database's clock may trail the worker's by a moment: ask again after this. */
const CLOCK_SKEW_RETRY_MS = 1_000;
const START_BY_ACTIVITY = 'lot-expiry-started-by-activity';
const BACKFILL_PAGE = 100;
const BACKFILL_PAGES_PER_RUN = 10;

/**
 * One lot's expiry: a notice POLICY_EXPIRY_NOTICE_DAYS before, then at the lot's expiresAt
 * the `expire` entry that writes off what remains (the ledger key makes it once, however
 * often a restart repeats the step). The `extendLot` update moves the expiry later and
 * the timers follow. Credits held by bookings stay with their bookings (docs/domain.md).
 */
export async function lotExpiry(input: LotExpiryInput): Promise<LotExpiryResult> {
  let expiresAtMs = 0;
  let notices = 0;
  setHandler(extendLotUpdate, async (request) => {
    const lot = await lots
      .extendLot({ lotId: input.lotId, expiresAt: request.expiresAt, reason: request.reason, actor: actorLabel(request.actor) })
      .catch((error: unknown) => {
        // A refusal (expired, never expires, not later) fails this update only, never the workflow.
        throw error instanceof ActivityFailure && error.cause instanceof ApplicationFailure ? error.cause : error;
      });
    // Extensions only move later, and may land before the first load does.
    expiresAtMs = Math.max(expiresAtMs, Date.parse(lot.expiresAt!));
    return {
      lotId: lot.lotId,
      clientId: lot.clientId,
      remaining: lot.remaining,
      expiresAt: lot.expiresAt!,
      ledgerEntryId: lot.ledgerEntryId,
    };
  });

  const result = await untilExpired();
  // An extension that arrived with the start (or at the last moment) is answered before the workflow closes.
  await condition(allHandlersFinished);
  return result;

  async function untilExpired(): Promise<LotExpiryResult> {
    const plan = input.plan ?? (await loadPlan(input.lotId));
    if (!plan) return { lotId: input.lotId, expiresAt: null, notices };
    expiresAtMs = Math.max(expiresAtMs, Date.parse(plan.expiresAt));
    let noticedForMs: number | null = null;

    for (;;) {
      const step = nextLotStep({ expiresAtMs, noticeBeforeMs: plan.noticeBeforeMs, noticedForMs }, Date.now());
      if (step.kind === 'notice') {
        if (await lots.queueExpiryNotice({ lotId: input.lotId, expiresAt: new Date(expiresAtMs).toISOString() })) notices += 1;
        noticedForMs = expiresAtMs;
      } else if (step.kind === 'wait') {
        const planned = expiresAtMs;
        await condition(() => expiresAtMs !== planned, step.untilMs - Date.now());
      } else {
        const lot = await lots.expireLot(input.lotId);
        if (!lot || lot.expired) return { lotId: input.lotId, expiresAt: lot?.expiresAt ?? null, notices };
        const stored = Date.parse(lot.expiresAt!);
        if (stored > expiresAtMs) expiresAtMs = stored;
        else await sleep(CLOCK_SKEW_RETRY_MS);
      }
    }
  }
}

/** A run started as a child workflow reads its lot, and makes its client searchable, itself. */
async function loadPlan(lotId: number): Promise<LotExpiryPlan | null> {
  const lot = await lots.loadLot(lotId);
  if (!lot || lot.expiresAt === null) return null;
  upsertSearchAttributes([{ key: ClientIdKey, value: String(lot.clientId) }]);
  return { clientId: lot.clientId, expiresAt: lot.expiresAt, noticeBeforeMs: lot.noticeBeforeMs };
}

/**
 * Starts a lot's expiry workflow (from the workflow that granted the lot, or the backfill);
 * one already running is the same one. A closed one is started again: a lot that still has
 * credits to expire only lost its workflow by a terminate, and the new run picks up the lot.
 */
export async function startLotExpiry(lotId: number): Promise<void> {
  // Since 2026-12-02 a local activity starts it (activities/lots.ts). Asked first, so a new
  // history records one patch marker, not two.
  if (patched(START_BY_ACTIVITY)) {
    await lots.startLotExpiry(lotExpiryStart(lotId));
    return;
  }
  // Histories from before started a child; purchase workflows granted before the start
  // existed replay without it (their lots get theirs from the backfill).
  if (!patched('start-lot-expiry')) return;
  try {
    await startChild(lotExpiry, {
      workflowId: lotExpiryWorkflowId(lotId),
      args: [{ lotId }],
      // It outlives the grant's workflow by months.
      parentClosePolicy: ParentClosePolicy.ABANDON,
    });
  } catch (error) {
    if (!(error instanceof WorkflowExecutionAlreadyStartedError)) throw error;
  }
}

/**
 * Starts the expiry workflow of every lot that still has credits to expire, a page at a
 * time: lots granted before lots had workflows (the demo seed's, every lot from before
 * this release) get theirs, and lots that have one collapse onto it. Every worker starts
 * it (worker/worker.ts); continues as new so its history stays small however many lots.
 */
export async function lotExpiryBackfill(input: { afterLotId: number }): Promise<number> {
  let afterLotId = input.afterLotId;
  let started = 0;
  for (let page = 0; page < BACKFILL_PAGES_PER_RUN; page += 1) {
    const lotIds = await lots.lotsWithExpiry({ afterLotId, limit: BACKFILL_PAGE });
    await Promise.all(lotIds.map(startLotExpiry));
    started += lotIds.length;
    if (lotIds.length < BACKFILL_PAGE) return started;
    afterLotId = lotIds[lotIds.length - 1]!;
  }
  return continueAsNew<typeof lotExpiryBackfill>({ afterLotId });
}
