import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { ReconciliationRun } from '../model/entities/reconciliation-run.js';
import { recentRuns } from '../model/reconciliation.js';
import { unsentNotifications } from '../model/operations.js';
import type { Orm } from '../model/orm.js';
import { unrelayedStripeEventCount } from '../model/stripe-events.js';

/**
 * What /metrics exposes (Prometheus text), one registry per app so that several apps in
 * one process (tests, the launcher) never collide in prom-client's global one.
 */
export interface ApiMetrics {
  registry: Registry;
  httpSeconds: Histogram<'method' | 'route' | 'status'>;
  bookings: Counter<'outcome' | 'code'>;
  webhookEvents: Counter<'type' | 'outcome'>;
  /** From a command's first send to Temporal's answer, outages ridden out included. */
  commandSeconds: Histogram<'command' | 'outcome'>;
}

/** Seconds; the benchmarks read the top one as the bound of what the histogram can place. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 15];

export function createMetrics(orm: Orm): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const metrics: ApiMetrics = {
    registry,
    httpSeconds: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request latency by route (the route pattern, never the raw URL)',
      labelNames: ['method', 'route', 'status'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    bookings: new Counter({
      name: 'bookings_total',
      help: 'Booking requests by outcome (booked, refused, pending) and error code',
      labelNames: ['outcome', 'code'],
      registers: [registry],
    }),
    webhookEvents: new Counter({
      name: 'stripe_webhook_events_total',
      help: 'Verified Stripe webhook events by type and what became of them',
      labelNames: ['type', 'outcome'],
      registers: [registry],
    }),
    commandSeconds: new Histogram({
      name: 'workflow_command_duration_seconds',
      help: 'Start-to-answer latency of each workflow command (book, cancel, allocate, refund, ...), by outcome',
      labelNames: ['command', 'outcome'],
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
  };
  new Gauge({
    name: 'outbox_backlog',
    help: 'Notifications written and not yet sent',
    registers: [registry],
    async collect() {
      this.set(await unsentNotifications(orm));
    },
  });
  new Gauge({
    name: 'stripe_events_unrelayed',
    help: 'Stripe events stored by the webhook and not yet handed to their workflow (Temporal down, or a moment behind)',
    registers: [registry],
    async collect() {
      this.set(await unrelayedStripeEventCount(orm));
    },
  });
  // Both reconciliation gauges are collected in the same scrape: they share one read of the last run.
  let reading: Promise<ReconciliationRun | undefined> | undefined;
  const lastRun = () =>
    (reading ??= recentRuns(orm, 1)
      .then(([run]) => run)
      .finally(() => {
        reading = undefined;
      }));
  new Gauge({
    name: 'balance_drift',
    help: 'Findings of the latest reconciliation run (expected: 0); -1 before the first run',
    registers: [registry],
    async collect() {
      this.set((await lastRun())?.driftCount ?? -1);
    },
  });
  new Gauge({
    name: 'reconciliation_last_run_timestamp_seconds',
    help: 'When the latest reconciliation run finished (Unix time); 0 before the first run',
    registers: [registry],
    async collect() {
      const run = await lastRun();
      this.set(run ? run.finishedAt.getTime() / 1000 : 0);
    },
  });
  return metrics;
}

/** Times every request by its route pattern (an unmatched URL counts as one `unmatched` route). */
export function installRequestTiming(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', async (request, reply) => {
    metrics.httpSeconds.observe(
      { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
      reply.elapsedTime / 1000,
    );
  });
}
