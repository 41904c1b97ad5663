import { IsolationLevel } from '@mikro-orm/core';
import { PAID_PURCHASE_STATUSES, type PurchaseStatus } from './entities/purchase.js';
import { ReconciliationRun } from './entities/reconciliation-run.js';
import type { Orm } from './orm.js';

/** One disagreement the books show; reported, never corrected by the check itself. */
export interface Drift {
  kind:
    | 'balance_vs_ledger'
    | 'figures_vs_books'
    | 'balance_vs_lots'
    | 'held_vs_bookings'
    | 'paid_without_grant'
    | 'grant_without_payment'
    | 'refund_not_clawed_back'
    | 'dispute_not_clawed_back'
    | 'stripe_paid_not_recorded';
  clientId: number | null;
  purchaseId: number | null;
  detail: string;
}

export interface BooksCheck {
  clientsChecked: number;
  purchasesChecked: number;
  drift: Drift[];
}

/** A purchase changed this recently may have a webhook's effects still on their way through its workflow. */
export const SETTLING_SECONDS = 60;
/** A run reports at most this many findings one by one (the count is always exact). */
const MAX_LISTED = 500;

/**
 * Checks the books in one snapshot: every client's cached balance against its ledger sum,
 * its lots and its held bookings; every paid purchase against its grant, every refund and
 * every dispute against its clawback (docs/domain.md). Reads only.
 */
export async function checkBooks(orm: Orm): Promise<BooksCheck> {
  return orm.em.fork().transactional(
    async (tx) => {
      const sql = <T>(query: string, params: unknown[] = []) => tx.execute<T[]>(query, params, 'all');
      await sql(`select set_config('statement_timeout', '120s', true)`);
      const [counted] = await sql<{ clients: number }>(`select count(*)::int as clients from users where role = 'client'`);
      const clientDrift = await sql<{
        clientId: number;
        available: number;
        held: number;
        ledger: number;
        ledgerHeld: number;
        ledgerConsumed: number;
        figures: number;
        figuresHeld: number;
        figuresConsumed: number;
        figuresCancelled: number;
        cancelledBookings: number;
        lots: number;
        heldBookings: number;
      }>(`
        select u.id as "clientId", u.available_sessions as available, u.held_sessions as held,
               coalesce(l.available, 0) as ledger, coalesce(l.held, 0) as "ledgerHeld", coalesce(l.consumed, 0) as "ledgerConsumed",
               coalesce(f.available, 0) as figures, coalesce(f.held, 0) as "figuresHeld", coalesce(f.consumed, 0) as "figuresConsumed",
               coalesce(f.cancelled, 0) as "figuresCancelled", coalesce(c.bookings, 0) as "cancelledBookings",
               coalesce(lots.remaining, 0) as lots, coalesce(h.bookings, 0) as "heldBookings"
          from users u
          left join (select client_id, sum(delta)::int as available, sum(held_delta)::int as held,
                            (count(*) filter (where kind = 'consume'))::int as consumed
                       from ledger_entries group by client_id) l on l.client_id = u.id
          left join client_figures f on f.client_id = u.id
          left join (select client_id, count(*)::int as bookings from bookings where status in ('cancelled', 'late_cancelled')
                      group by client_id) c on c.client_id = u.id
          left join (select client_id, sum(remaining)::int as remaining from credit_lots group by client_id) lots on lots.client_id = u.id
          left join (select client_id, count(*)::int as bookings from bookings where credit_state = 'held' group by client_id) h
                 on h.client_id = u.id
         where u.role = 'client'
           and (u.available_sessions <> coalesce(l.available, 0) or u.held_sessions <> coalesce(l.held, 0)
                or u.available_sessions <> coalesce(lots.remaining, 0) or u.held_sessions <> coalesce(h.bookings, 0)
                or coalesce(f.available, 0) <> coalesce(l.available, 0) or coalesce(f.held, 0) <> coalesce(l.held, 0)
                or coalesce(f.consumed, 0) <> coalesce(l.consumed, 0) or coalesce(f.cancelled, 0) <> coalesce(c.bookings, 0))
         order by u.id`);
      const drift: Drift[] = [];
      for (const row of clientDrift) {
        if (row.available !== row.ledger || row.held !== row.ledgerHeld) {
          drift.push({
            kind: 'balance_vs_ledger',
            clientId: row.clientId,
            purchaseId: null,
            detail: `balance ${row.available} available / ${row.held} held; ledger sums ${row.ledger} / ${row.ledgerHeld}`,
          });
        }
        // The figures every read shows (client_balances), kept by the database's triggers: the entries' own sums, the bookings' own count.
        if (
          row.figures !== row.ledger ||
          row.figuresHeld !== row.ledgerHeld ||
          row.figuresConsumed !== row.ledgerConsumed ||
          row.figuresCancelled !== row.cancelledBookings
        ) {
          drift.push({
            kind: 'figures_vs_books',
            clientId: row.clientId,
            purchaseId: null,
            detail:
              `figures ${row.figures} available / ${row.figuresHeld} held / ${row.figuresConsumed} consumed / ${row.figuresCancelled} cancelled; ` +
              `ledger ${row.ledger} / ${row.ledgerHeld} / ${row.ledgerConsumed}, ${row.cancelledBookings} cancelled bookings`,
          });
        }
        if (row.available !== row.lots) {
          drift.push({
            kind: 'balance_vs_lots',
            clientId: row.clientId,
            purchaseId: null,
            detail: `balance ${row.available} available; lots hold ${row.lots}`,
          });
        }
        if (row.held !== row.heldBookings) {
          drift.push({
            kind: 'held_vs_bookings',
            clientId: row.clientId,
            purchaseId: null,
            detail: `${row.held} held; ${row.heldBookings} bookings hold a credit`,
          });
        }
      }

      const [purchases] = await sql<{ count: number }>(`select count(*)::int as count from purchases`);
      const purchaseDrift = await sql<{
        purchaseId: number;
        clientId: number;
        status: PurchaseStatus;
        sessions: number;
        granted: number | null;
        refundedCents: number;
        amountCents: number;
        refundedSessions: number;
        disputeStatus: string | null;
        disputeHold: boolean;
      }>(
        `
        select p.id as "purchaseId", p.client_id as "clientId", p.status, p.sessions, g.delta as granted,
               p.refunded_cents as "refundedCents", p.amount_cents as "amountCents", p.refunded_sessions as "refundedSessions",
               p.dispute_status as "disputeStatus", d.id is not null as "disputeHold"
          from purchases p
          left join ledger_entries g on g.idempotency_key = 'purchase:' || p.id || ':grant'
          left join ledger_entries d on d.idempotency_key = 'purchase:' || p.id || ':dispute-hold'
         where p.updated_at < now() - make_interval(secs => ?)
           and (
             (p.status in (?) and g.id is null)
             or (p.status not in (?) and g.id is not null)
             or (g.id is not null and p.amount_cents > 0
                 and p.refunded_sessions < least(p.sessions, (p.refunded_cents::bigint * p.sessions / p.amount_cents)::int)
                 and p.dispute_status is distinct from 'open')
             or (p.dispute_status in ('open', 'lost') and g.id is not null and d.id is null and p.refunded_sessions < p.sessions))
         order by p.id`,
        [SETTLING_SECONDS, PAID_PURCHASE_STATUSES, PAID_PURCHASE_STATUSES],
      );
      for (const row of purchaseDrift) {
        const paid = PAID_PURCHASE_STATUSES.includes(row.status);
        const where = { clientId: row.clientId, purchaseId: row.purchaseId };
        if (paid && row.granted === null) {
          drift.push({ kind: 'paid_without_grant', ...where, detail: `status ${row.status}, no grant of ${row.sessions} sessions` });
        } else if (!paid && row.granted !== null) {
          drift.push({ kind: 'grant_without_payment', ...where, detail: `status ${row.status}, yet ${row.granted} sessions granted` });
        } else {
          const owedBack = Math.min(row.sessions, Math.floor((row.refundedCents * row.sessions) / row.amountCents));
          if (row.refundedSessions < owedBack && row.disputeStatus !== 'open') {
            drift.push({
              kind: 'refund_not_clawed_back',
              ...where,
              detail: `${row.refundedCents} of ${row.amountCents} cents refunded (${owedBack} sessions); ${row.refundedSessions} taken back`,
            });
          }
          if ((row.disputeStatus === 'open' || row.disputeStatus === 'lost') && !row.disputeHold && row.refundedSessions < row.sessions) {
            drift.push({ kind: 'dispute_not_clawed_back', ...where, detail: `dispute ${row.disputeStatus}, its credits never held back` });
          }
        }
      }
      return { clientsChecked: counted!.clients, purchasesChecked: purchases!.count, drift };
    },
    { isolationLevel: IsolationLevel.REPEATABLE_READ, readOnly: true },
  );
}

/** Purchases of ours Stripe's recent paid Checkout Sessions name, with their status here. */
export async function purchaseStatuses(
  orm: Orm,
  purchaseIds: number[],
): Promise<Map<number, { status: PurchaseStatus; clientId: number }>> {
  if (purchaseIds.length === 0) return new Map();
  const rows = await orm.em
    .fork()
    .getConnection()
    .execute<Array<{ id: number; status: PurchaseStatus; clientId: number }>>(
      `select id, status, client_id as "clientId" from purchases where id in (?)`,
      [purchaseIds],
      'all',
    );
  return new Map(rows.map((row) => [row.id, { status: row.status, clientId: row.clientId }]));
}

export interface RunRecord {
  startedAt: Date;
  workflowId: string | null;
  runId: string | null;
  check: BooksCheck;
  /** null: Stripe was not asked (no Stripe API configured: the simulator takes the payments). */
  stripeChecked: number | null;
}

export async function recordRun(orm: Orm, run: RunRecord): Promise<ReconciliationRun> {
  const em = orm.em.fork();
  const row = em.create(ReconciliationRun, {
    startedAt: run.startedAt,
    finishedAt: new Date(),
    clientsChecked: run.check.clientsChecked,
    purchasesChecked: run.check.purchasesChecked,
    stripeChecked: run.stripeChecked,
    driftCount: run.check.drift.length,
    drift: run.check.drift.slice(0, MAX_LISTED),
    workflowId: run.workflowId,
    runId: run.runId,
  });
  await em.flush();
  return row;
}

export function recentRuns(orm: Orm, limit: number): Promise<ReconciliationRun[]> {
  return orm.em.fork().find(ReconciliationRun, {}, { orderBy: { id: 'desc' }, limit });
}
