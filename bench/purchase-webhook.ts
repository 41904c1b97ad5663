/**
 * Webhook benchmark: how fast Stripe gets its 2xx, and how long from sending a signed
 * `checkout.session.completed` until the purchase's credits are visible in the ledger
 * (the grant entry and the cached balance commit together).
 *
 *   npx tsx bench/purchase-webhook.ts [purchases=200] [concurrency=1,8] [rate=20] [down=50]
 *
 * Phases: `purchases` webhooks back to back at each concurrency; then purchases arriving
 * at `rate` per second (open loop, as Stripe sends them) for credit-visible latency; then
 * `down` webhooks sent while the Temporal dev server is killed (SIGKILL), acked from the
 * inbox and credited after it restarts. Also where the old ack path's time went: the
 * signature check and a bare signal-with-start round trip at the same concurrency.
 *
 * Runs the deployed topology on this machine: embedded PostgreSQL, a Temporal dev server
 * (with the raised dispatch settings) and Mailpit, then `npm run api` (API_PROCESSES
 * processes, default 1) and `npm run worker` (with a prebuilt WORKFLOW_BUNDLE, as the image
 * runs it), each its own process, spawned as the reliability suite spawns them; this
 * process only generates the load, posting events over HTTP. Nothing is mocked. Figures
 * only; nothing is asserted.
 *
 *   WEBHOOK_CPU_PROFILE_DIR=/tmp/profiles npx tsx bench/purchase-webhook.ts   # the API and the worker write .cpuprofile files there
 *   BENCH_TRACE=1 npx tsx bench/purchase-webhook.ts   # and the workflow history of the 20/s phase's last purchase
 *   BENCH_BACKGROUND_NICENESS=10 npx tsx bench/purchase-webhook.ts   # the worker and Temporal below the API and PostgreSQL
 */
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import Stripe from 'stripe';
import protos from '@temporalio/proto';
import { LATENCY_BUCKETS } from '../api/metrics.js';
import { connectTemporalClient } from '../api/temporal-client.js';
import { startEmbeddedPostgres } from '../launcher/embedded-postgres.js';
import { freePort } from '../launcher/free-port.js';
import { startLocalTemporal } from '../launcher/temporal.js';
import { createAccount } from '../model/accounts.js';
import { ChangeListener } from '../model/change-events.js';
import { migrateToLatest, openDatabase, type Orm } from '../model/orm.js';
import { attachCheckoutSession, createPendingPurchase, findPackageOnSale } from '../model/purchases.js';
import { query } from '../model/transaction.js';
import { purchaseWorkflowId } from '../workflows/definitions.js';
import { startDeployedApp } from './deployed-app.js';
import { emitResults, loadAverage } from './report.js';
import { percentile } from './stats.js';

const purchasesPerRun = Number(process.argv[2] ?? 200);
const concurrencies = (process.argv[3] ?? '1,8').split(',').map(Number);
const arrivalsPerSecond = Number(process.argv[4] ?? 20);
const sentWhileDown = Number(process.argv[5] ?? 50);
const CLIENTS = 20;
const WARMUP = 10;
const apiProcesses = process.env.API_PROCESSES ?? '1';
const profileDir = process.env.WEBHOOK_CPU_PROFILE_DIR;
// A host running the API beside the worker and Temporal can give the request path priority.
const backgroundNiceness = process.env.BENCH_BACKGROUND_NICENESS ? Number(process.env.BENCH_BACKGROUND_NICENESS) : undefined;

const log = (line: string) => console.log(`[bench] ${line}`);

interface Latency {
  p50: number;
  p99: number;
  max: number;
}

const latency = (samples: number[]): Latency => {
  const sorted = [...samples].sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1)! };
};

const summary = (samples: number[]) => {
  const { p50, p99, max } = latency(samples);
  return `median ${p50.toFixed(1)} ms, p99 ${p99.toFixed(1)} ms, max ${max.toFixed(1)} ms`;
};

/**
 * Watches the ledger for grants: each committed ledger entry NOTIFYs the change channel
 * (the live updates' trigger), and each notification starts one look for the grants still
 * awaited, so a credit is seen one round trip after its commit. Polling back to back
 * instead kept a core of this machine busy (PostgreSQL and this process) while the stack
 * under test needed it. A slow poll guards against a notification lost between reconnects.
 */
class GrantWatcher {
  private readonly waiting = new Map<number, (at: number) => void>();
  private readonly listener: ChangeListener;
  private readonly guard: NodeJS.Timeout;
  private looking: Promise<void> | undefined;
  private lookAgain = false;

  constructor(
    private readonly orm: Orm,
    databaseUrl: string,
  ) {
    this.listener = new ChangeListener({
      orm,
      databaseUrl,
      probeMs: 5_000,
      onChange: (change) => {
        if (change.resource === 'ledger') this.look();
      },
    });
    this.guard = setInterval(() => this.look(), 1_000);
  }

  start(): Promise<void> {
    return this.listener.start();
  }

  visible(purchaseId: number): Promise<number> {
    return new Promise((resolve) => this.waiting.set(purchaseId, resolve));
  }

  /** One look at a time; a notification during a look asks for one more after it. */
  private look(): void {
    if (this.waiting.size === 0) return;
    if (this.looking) {
      this.lookAgain = true;
      return;
    }
    this.looking = (async () => {
      do {
        this.lookAgain = false;
        const ids = [...this.waiting.keys()];
        if (ids.length === 0) break;
        const rows = await query<{ purchaseId: number }>(
          this.orm,
          `select purchase_id as "purchaseId" from ledger_entries where kind = 'grant' and purchase_id in (?)`,
          [ids],
        );
        const at = performance.now();
        for (const { purchaseId } of rows) {
          this.waiting.get(purchaseId)?.(at);
          this.waiting.delete(purchaseId);
        }
      } while (this.lookAgain);
    })().finally(() => (this.looking = undefined));
  }

  async stop(): Promise<void> {
    clearInterval(this.guard);
    await this.looking;
    await this.listener.close();
  }
}

/**
 * The webhook's own time in the API, from its request-duration histogram (/metrics): the
 * ack as the server saw it, without the load generator's event loop on these shared cores.
 * Bucket bounds only; with several API processes each keeps its own, so it is left out.
 */
async function serverAckBuckets(metricsUrl: string): Promise<Map<string, number>> {
  const text = await (await fetch(metricsUrl)).text();
  const buckets = new Map<string, number>();
  for (const line of text.split('\n')) {
    const match =
      /^http_request_duration_seconds_bucket\{le="([^"]+)",method="POST",route="\/api\/webhooks\/stripe",status="200"\} (\d+)/.exec(line);
    if (match) buckets.set(match[1]!, Number(match[2]));
  }
  return buckets;
}

/** The API's acks between two readings: the shares within 10 and 20 ms, and the bucket bound holding the p99 (ms; null above the top bucket). */
export interface ServerAcks {
  within10msPct: number;
  within20msPct: number;
  p99WithinMs: number | null;
}

/** One phase's latencies, as the JSON line carries them. */
interface WebhookPhase {
  ack: Latency;
  serverAcks: ServerAcks | undefined;
  visible: Latency;
}

/** The figures of the JSON line `npm run bench` reads (bench/all.ts). */
export interface WebhookFigures {
  purchasesPerRun: number;
  apiProcesses: number;
  backgroundNiceness: number;
  inFlight: Array<WebhookPhase & { concurrency: number; perSecond: number }>;
  openLoop?: WebhookPhase & { offered: number; achieved: number };
  temporalDown?: {
    sent: number;
    acked: number;
    stored: number;
    credited: number;
    ack: Latency;
    serverAcks: ServerAcks | undefined;
    restartSeconds: number;
    creditedAfterBackSeconds: number;
  };
  floors?: { signatureCheckUs: number; signalWithStart8InFlight: Latency };
  /** Every purchase's grants against its ledger, once all phases ran. */
  check: { grants: number; purchases: number; drift: number };
}

function serverAckSince(before: Map<string, number>, after: Map<string, number>): ServerAcks | undefined {
  const counts = [...after].map(([le, count]) => [le, count - (before.get(le) ?? 0)] as const);
  const total = counts.at(-1)?.[1] ?? 0;
  if (total === 0) return undefined;
  const share = (le: string) => (100 * (counts.find(([bound]) => bound === le)?.[1] ?? 0)) / total;
  const p99 = counts.find(([, count]) => count >= 0.99 * total)![0];
  return { within10msPct: share('0.01'), within20msPct: share('0.02'), p99WithinMs: p99 === '+Inf' ? null : Number(p99) * 1000 };
}

function serverAckLine(acks: ServerAcks | undefined): string {
  if (!acks) return 'no requests seen';
  const bound = acks.p99WithinMs === null ? `more than ${LATENCY_BUCKETS.at(-1)} s` : `${acks.p99WithinMs} ms`;
  return `${acks.within10msPct.toFixed(0)} % within 10 ms, ${acks.within20msPct.toFixed(0)} % within 20 ms, p99 within ${bound}`;
}

const root = await mkdtemp(path.join(os.tmpdir(), 'studio-bench-'));
// As root, PostgreSQL runs as the `postgres` user, which must be able to reach its cluster.
await chmod(root, 0o755);
const stops: Array<() => Promise<unknown>> = [];
try {
  const postgres = await startEmbeddedPostgres({ clusterDir: path.join(root, 'postgres'), ephemeral: true });
  stops.push(() => postgres.stop());
  await postgres.createDatabase('bench');
  // History in a file, so the server killed for the outage phase comes back with its workflows.
  const temporalDb = path.join(root, 'temporal.db');
  const startTemporal = (port?: number) =>
    startLocalTemporal({ cliPath: process.env.TEMPORAL_CLI_PATH, log, dbFile: temporalDb, port, niceness: backgroundNiceness });
  let temporal = await startTemporal();
  const temporalPort = Number(temporal.address.split(':').at(-1));
  stops.push(() => temporal.stop());
  const port = await freePort();
  const databaseUrl = postgres.urlFor('bench');
  const orm = await openDatabase(databaseUrl, 40);
  stops.push(() => orm.close(true));
  await migrateToLatest(orm);
  const { settings, topology } = await startDeployedApp({
    root,
    env: {
      DATA_DIR: root,
      DATABASE_URL: databaseUrl,
      TEMPORAL_ADDRESS: temporal.address,
      TEMPORAL_TASK_QUEUE: 'bench',
      JWT_SECRET: 'bench',
      STRIPE_WEBHOOK_SECRET: 'whsec_bench',
      PORT: String(port),
    },
    apiProcesses,
    nodeArgs: profileDir ? ['--cpu-prof', `--cpu-prof-dir=${profileDir}`] : [],
    workerNiceness: backgroundNiceness,
    log,
    stops,
  });
  const client = await connectTemporalClient(settings.temporal, temporal.address);
  stops.push(() => client.connection.close());
  log(`stack up: PostgreSQL ${new URL(settings.databaseUrl!).host}, Temporal ${temporal.address} (${temporal.source}), API :${port}`);
  log(topology);
  const temporalPriority = backgroundNiceness ? `, the Temporal dev server at nice ${backgroundNiceness}` : '';

  const clients: number[] = [];
  for (let index = 0; index < CLIENTS; index += 1) {
    clients.push(
      (
        await createAccount(orm, {
          email: `bench-${index}@bench.test`,
          password: 'bench-password',
          role: 'client',
          firstName: 'Bench',
          lastName: String(index),
        })
      ).id,
    );
  }
  const [{ id: packageId }] = (await query<{ id: number }>(
    orm,
    `insert into packages (name, sessions, price_cents, validity_days) values ('Bench 10', 10, 70000, 180) returning id`,
  )) as [{ id: number }];
  const pkg = (await findPackageOnSale(orm, packageId))!;
  const watcher = new GrantWatcher(orm, databaseUrl);
  await watcher.start();
  const webhookUrl = `http://127.0.0.1:${port}/api/webhooks/stripe`;

  /**
   * Checkouts opened before each phase, as a client's checkout is opened long before Stripe's
   * webhook: the timed loop only signs and sends, so the load generator's own database
   * work does not queue in front of the answers it times.
   */
  let opened: Array<{ id: number; checkoutSessionId: string }> = [];
  async function openCheckouts(count: number): Promise<void> {
    opened = [];
    for (let index = 0; index < count; index += 1) {
      const purchase = await createPendingPurchase(orm, clients[index % CLIENTS]!, pkg, purchaseWorkflowId);
      const checkoutSessionId = `cs_test_bench_${purchase.id}`;
      await attachCheckoutSession(orm, purchase.id, checkoutSessionId);
      opened.push({ id: purchase.id, checkoutSessionId });
    }
  }

  /** One opened checkout's signed completed event; returns [ack ms, visible ms]. */
  async function buyOnce(): Promise<[number, number]> {
    const { ackMs, visible, sent } = await sendOnce();
    return [ackMs, (await visible) - sent];
  }

  /** The webhook's answer, and a promise of the moment the credit became visible. */
  async function sendOnce(): Promise<{ ackMs: number; visible: Promise<number>; sent: number }> {
    const purchase = opened.shift()!;
    const { checkoutSessionId } = purchase;
    const body = JSON.stringify({
      id: `evt_bench_${purchase.id}`,
      object: 'event',
      api_version: Stripe.API_VERSION,
      created: Math.floor(Date.now() / 1000),
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      type: 'checkout.session.completed',
      data: {
        object: {
          id: checkoutSessionId,
          object: 'checkout.session',
          mode: 'payment',
          status: 'complete',
          payment_status: 'paid',
          client_reference_id: String(purchase.id),
          metadata: { purchaseId: String(purchase.id) },
          amount_total: pkg.priceCents,
          currency: pkg.currency,
          payment_intent: `pi_bench_${purchase.id}`,
        },
      },
    });
    const signature = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: settings.stripe.webhookSecret });
    const visible = watcher.visible(purchase.id);
    const sent = performance.now();
    const response = await fetch(webhookUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'stripe-signature': signature },
      body,
    });
    const acked = performance.now();
    if (response.status !== 200) throw new Error(`webhook answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
    return { ackMs: acked - sent, visible, sent };
  }

  async function run(count: number, concurrency: number): Promise<{ ack: number[]; visible: number[]; seconds: number }> {
    const ack: number[] = [];
    const visible: number[] = [];
    let next = 0;
    await openCheckouts(count);
    log(`${count} purchases, ${concurrency} in flight: started`);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (next < count) {
          next += 1;
          const [ackMs, visibleMs] = await buyOnce();
          ack.push(ackMs);
          visible.push(visibleMs);
        }
      }),
    );
    return { ack, visible, seconds: (performance.now() - started) / 1000 };
  }

  await run(WARMUP, 1);
  const results: string[] = [];
  const figures: Omit<WebhookFigures, 'check'> = {
    purchasesPerRun,
    apiProcesses: Number(apiProcesses),
    backgroundNiceness: backgroundNiceness ?? 0,
    inFlight: [],
  };
  const metricsUrl = `http://127.0.0.1:${port}/metrics`;
  /** Runs a phase, and returns with its result the server's view of its acks (none with several API processes: each keeps its own). */
  async function withServerAcks<T>(phase: () => Promise<T>): Promise<{ result: T; serverAcks: ServerAcks | undefined }> {
    if (apiProcesses !== '1') return { result: await phase(), serverAcks: undefined };
    const before = await serverAckBuckets(metricsUrl);
    const result = await phase();
    return { result, serverAcks: serverAckSince(before, await serverAckBuckets(metricsUrl)) };
  }
  /** The result's line of the server's view, where there is one. */
  const serverAckLines = (acks: ServerAcks | undefined) =>
    apiProcesses === '1' ? [`  webhook ack, in the API:        ${serverAckLine(acks)}`] : [];
  let purchasesMade = WARMUP;
  for (const concurrency of concurrencies) {
    const {
      result: { ack, visible, seconds },
      serverAcks,
    } = await withServerAcks(() => run(purchasesPerRun, concurrency));
    purchasesMade += purchasesPerRun;
    figures.inFlight.push({ concurrency, perSecond: purchasesPerRun / seconds, ack: latency(ack), serverAcks, visible: latency(visible) });
    results.push(
      `${purchasesPerRun} purchases, ${concurrency} webhook(s) in flight (${(purchasesPerRun / seconds).toFixed(1)} purchases/s), load average ${loadAverage()}`,
      `  webhook ack (HTTP 200):         ${summary(ack)}`,
      ...serverAckLines(serverAcks),
      `  webhook -> credit visible:      ${summary(visible)}`,
    );
  }

  const lastPurchaseId = async () =>
    ((await query<{ id: number }>(orm, `select max(id)::int as id from purchases`)) as [{ id: number }])[0].id;
  let tracedPurchase: number | undefined;

  // Open loop: purchases arrive at a fixed rate whatever the answers' pace, as Stripe sends them.
  if (arrivalsPerSecond > 0) {
    const count = purchasesPerRun;
    const ack: number[] = [];
    const visible: number[] = [];
    await openCheckouts(count);
    log(`${count} purchases arriving at ${arrivalsPerSecond}/s: started`);
    const started = performance.now();
    const { serverAcks } = await withServerAcks(() =>
      Promise.all(
        Array.from({ length: count }, async (_, index) => {
          const due = started + (index * 1000) / arrivalsPerSecond;
          await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())));
          const [ackMs, visibleMs] = await buyOnce();
          ack.push(ackMs);
          visible.push(visibleMs);
        }),
      ),
    );
    purchasesMade += count;
    const seconds = (performance.now() - started) / 1000;
    log(`${count} purchases arriving at ${arrivalsPerSecond}/s: done`);
    // The trace shows the open loop's last purchase: one that queued behind the others at 20/s.
    tracedPurchase = await lastPurchaseId();
    figures.openLoop = { offered: arrivalsPerSecond, achieved: count / seconds, ack: latency(ack), serverAcks, visible: latency(visible) };
    results.push(
      `${count} purchases arriving at ${arrivalsPerSecond}/s (${(count / seconds).toFixed(1)}/s achieved), load average ${loadAverage()}`,
      `  webhook ack (HTTP 200):         ${summary(ack)}`,
      ...serverAckLines(serverAcks),
      `  webhook -> credit visible:      ${summary(visible)}`,
    );
  }

  // Temporal down at the moment of the webhook: acked from the inbox, credited once it is back.
  if (sentWhileDown > 0) {
    await openCheckouts(sentWhileDown);
    process.kill(temporal.pid!, 'SIGKILL');
    await temporal.stop();
    const ack: number[] = [];
    const pending: Array<Promise<number>> = [];
    let next = 0;
    const { serverAcks } = await withServerAcks(() =>
      Promise.all(
        Array.from({ length: 8 }, async () => {
          while (next < sentWhileDown) {
            next += 1;
            const { ackMs, visible } = await sendOnce();
            ack.push(ackMs);
            pending.push(visible);
          }
        }),
      ),
    );
    purchasesMade += sentWhileDown;
    const [{ waiting }] = (await query<{ waiting: number }>(
      orm,
      `select count(*)::int as waiting from stripe_events where relayed_at is null`,
    )) as [{ waiting: number }];
    const restarting = performance.now();
    temporal = await startTemporal(temporalPort);
    const back = performance.now();
    const credited = await Promise.all(pending);
    const restartSeconds = (back - restarting) / 1000;
    const creditedAfterBackSeconds = (Math.max(...credited) - back) / 1000;
    figures.temporalDown = {
      sent: sentWhileDown,
      acked: ack.length,
      stored: waiting,
      credited: credited.length,
      ack: latency(ack),
      serverAcks,
      restartSeconds,
      creditedAfterBackSeconds,
    };
    results.push(
      `${sentWhileDown} purchases while the Temporal dev server is killed (8 in flight), load average ${loadAverage()}`,
      `  webhook ack (HTTP 200):         ${summary(ack)}; ${waiting} events stored, waiting for Temporal`,
      ...serverAckLines(serverAcks),
      `  Temporal restarted in ${restartSeconds.toFixed(1)} s; all ${credited.length} credited ${creditedAfterBackSeconds.toFixed(1)} s after it was back`,
    );
  }
  await watcher.stop();

  // Where the old ack path's time went at 8 in flight: it verified the signature, then
  // awaited signal-with-start before answering (the workflow's first task runs after it).
  {
    const body = JSON.stringify({ id: 'evt_bench_verify', object: 'event', type: 'ping', created: 0, data: { object: {} } });
    const header = Stripe.webhooks.generateTestHeaderString({ payload: body, secret: settings.stripe.webhookSecret });
    const verifyStarted = performance.now();
    for (let index = 0; index < 1_000; index += 1) Stripe.webhooks.constructEvent(body, header, settings.stripe.webhookSecret);
    const verifyUs = ((performance.now() - verifyStarted) / 1_000) * 1000;
    const signals: number[] = [];
    let next = 0;
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while (next < purchasesPerRun) {
          const index = next++;
          const started = performance.now();
          await client.workflow.signalWithStart('purchaseToCredit', {
            workflowId: `bench-signal-${index}`,
            taskQueue: 'bench-nobody-polls',
            args: [{ purchaseId: 0, refundWindowMs: 0, paymentWaitMs: 0 }],
            signal: 'payment',
            signalArgs: [{}],
          });
          signals.push(performance.now() - started);
        }
      }),
    );
    figures.floors = { signatureCheckUs: verifyUs, signalWithStart8InFlight: latency(signals) };
    results.push(
      `where an ack's time went before the inbox (8 in flight), load average ${loadAverage()}`,
      `  signature check:                ${verifyUs.toFixed(1)} µs each`,
      `  bare signal-with-start:         ${summary(signals)}`,
    );
  }
  if (process.env.BENCH_TRACE) {
    // Where one purchase's time goes: its workflow history, relative to the start.
    const history = await client.workflow.getHandle(purchaseWorkflowId(tracedPurchase ?? (await lastPurchaseId()))).fetchHistory();
    const first = Number(history.events![0]!.eventTime!.seconds) * 1000 + history.events![0]!.eventTime!.nanos! / 1e6;
    for (const event of history.events!) {
      const at = Number(event.eventTime!.seconds) * 1000 + event.eventTime!.nanos! / 1e6;
      console.log(`  +${(at - first).toFixed(1).padStart(7)} ms  ${protos.temporal.api.enums.v1.EventType[event.eventType!]}`);
    }
  }
  const [check] = await query<{ grants: number; drift: number }>(
    orm,
    `select (select count(*)::int from ledger_entries where kind = 'grant') as grants,
            (select count(*)::int from users u where u.available_sessions <> coalesce((select sum(delta) from ledger_entries l where l.client_id = u.id), 0)) as drift`,
  );
  console.log(
    [
      '',
      `machine: ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? 'unknown'}), Node ${process.version}`,
      `topology: ${topology}${temporalPriority}`,
      ...results,
      `check: ${check!.grants} grants for ${purchasesMade} purchases, ${check!.drift} balances off their ledger`,
      '',
    ].join('\n'),
  );
  emitResults('webhook', {
    ...figures,
    check: { grants: check!.grants, purchases: purchasesMade, drift: check!.drift },
  } satisfies WebhookFigures);
} finally {
  for (const stop of stops.reverse()) await stop().catch((error) => console.error(String(error)));
  await rm(root, { recursive: true, force: true });
}
