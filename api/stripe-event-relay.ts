import type { FastifyBaseLogger } from 'fastify';
import type { Orm } from '../model/orm.js';
import { markStripeEventRelayed, unrelayedStripeEvents, type StoredStripeEvent } from '../model/stripe-events.js';
import type { PurchaseEvent, WorkflowCommands } from './workflow-commands.js';

/** How often the inbox is swept for events no relay has handed over (Temporal was down, an instance died). */
const SWEEP_EVERY_MS = 1_000;
const SWEEP_BATCH = 200;
/** Purchases relayed side by side in one sweep; one purchase's events go one after another. */
const SWEEP_PURCHASES_IN_FLIGHT = 8;

/**
 * Hands the webhook's stored events (`stripe_events`) to their purchases' workflows with
 * signal-with-start, then marks them relayed. Each event is relayed at once after the
 * webhook stored it, and a sweep every second retries whatever is left, oldest first, so
 * events stored while Temporal was down, or by an instance that died before relaying
 * them, reach their workflow when it can take them. Every API instance sweeps; an event
 * signalled twice is harmless, since its workflow applies an event id once.
 */
export class StripeEventRelay {
  private readonly inFlight = new Map<number, Promise<void>>();
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private stopped = false;

  constructor(
    private readonly orm: Orm,
    private readonly commands: Pick<WorkflowCommands, 'purchaseEvent'>,
    private readonly log: Pick<FastifyBaseLogger, 'warn'>,
  ) {}

  /** In the background: the webhook has answered already, and a failure leaves the event to the sweep. */
  relaySoon(event: StoredStripeEvent): void {
    if (this.stopped || this.inFlight.has(event.id)) return;
    void this.relay(event).catch((error: unknown) => {
      this.log.warn({ err: error, eventId: event.eventId }, 'Stripe event stored, not yet relayed to its workflow; the sweep retries it');
    });
  }

  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Waits for the relays under way (each bounded by the command's budget), so nothing is cut mid-call. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.sweeping;
    await Promise.allSettled(this.inFlight.values());
  }

  private relay(event: StoredStripeEvent): Promise<void> {
    const running = (async () => {
      await this.commands.purchaseEvent({ signal: event.signal, purchaseId: event.purchaseId, payload: event.payload } as PurchaseEvent);
      await markStripeEventRelayed(this.orm, event.id);
    })().finally(() => this.inFlight.delete(event.id));
    this.inFlight.set(event.id, running);
    return running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.sweeping = this.sweep()
        .catch((error: unknown) => this.log.warn({ err: error }, 'Stripe event relay: sweep stopped early; it runs again shortly'))
        .finally(() => {
          this.sweeping = undefined;
          this.schedule();
        });
    }, SWEEP_EVERY_MS);
    this.timer.unref();
  }

  /** One pass over the inbox; the first failure ends it (Temporal is most likely down for every event alike). */
  private async sweep(): Promise<void> {
    const waiting = (await unrelayedStripeEvents(this.orm, SWEEP_BATCH)).filter((event) => !this.inFlight.has(event.id));
    const byPurchase = new Map<number, StoredStripeEvent[]>();
    for (const event of waiting) byPurchase.set(event.purchaseId, [...(byPurchase.get(event.purchaseId) ?? []), event]);
    const queues = [...byPurchase.values()];
    let failed = false;
    await Promise.all(
      Array.from({ length: Math.min(SWEEP_PURCHASES_IN_FLIGHT, queues.length) }, async () => {
        for (let queue = queues.shift(); queue && !failed && !this.stopped; queue = queues.shift()) {
          for (const event of queue) {
            if (failed || this.stopped) return;
            if (this.inFlight.has(event.id)) continue;
            await this.relay(event).catch((error: unknown) => {
              if (!failed) this.log.warn({ err: error, eventId: event.eventId }, 'Stripe event relay: Temporal did not take the event yet');
              failed = true;
            });
          }
        }
      }),
    );
  }
}
