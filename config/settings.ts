import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Every setting (README's configuration table) and the studio policies (docs/domain.md), read once from the
 * environment (and `.env` when present). Durations are settings so tests run the
 * workflows' timers in seconds.
 */
export interface Policies {
  /** A client cancel later than this before start is late and forfeits the credit. */
  cancelWindowMinutes: number;
  /** A session still open this long after it ends is completed automatically. */
  autoCompleteAfterMinutes: number;
  /** Reminder sent this long before start. */
  reminderBeforeMinutes: number;
  /** No booking further ahead than this. */
  bookingHorizonDays: number;
  /** Bookings stay open this long after a session starts (late arrivals); 0: none once it has started. */
  lateBookingMinutes: number;
  /** Clients at or below this many available credits are flagged. */
  lowBalanceThreshold: number;
  /** Expiry notice this many days before a lot expires. */
  expiryNoticeDays: number;
  /** Purchase workflows stay open this long for refunds and disputes. */
  refundWindowDays: number;
  /** A seat freed later than this before the start is not offered to the waitlist; its entries expire then. */
  waitlistCutoffMinutes: number;
}

/** LOG_LEVEL: the least severe log line the API and the worker write. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Workflow tasks a worker runs at once; its workflow cache must hold at least that many. */
export const WORKFLOW_TASK_SLOTS = 100;

export interface Settings {
  /** Who the studio is to its clients: the name on every message, the zone every date is read in. */
  studio: { name: string; timeZone: string };
  /** The outbox's delivery: an SMTP server (unset: `npm start` and the tests run Mailpit) and the sender's address. */
  mail: { smtpUrl: string | undefined; from: string };
  port: number;
  host: string;
  logLevel: LogLevel;
  /** `npm run api` runs this many processes on one port (Node's cluster), so one instance can use every core. */
  apiProcesses: number;
  dataDir: string;
  databaseUrl: string | undefined;
  /** The schema owner's URL for migrations; the app itself never connects with it. */
  migrationDatabaseUrl: string | undefined;
  temporal: {
    address: string | undefined;
    namespace: string;
    uiUrl: string;
    cliPath: string | undefined;
    taskQueue: string;
    /** TLS (or an API key, which implies TLS) for Temporal Cloud or a secured cluster. */
    tls: { clientCertPath: string; clientKeyPath: string } | boolean;
    apiKey: string | undefined;
    /** A request waits this long for a workflow's answer, riding out a restart, before it answers 503 with Retry-After. */
    answerBudgetMs: number;
    /**
     * The workflows prebuilt by `npm run build:workflows`: a worker that loads it starts in
     * a fraction of the time one that bundles its workflows takes (README, "Scaling out").
     */
    workflowBundlePath: string | undefined;
    /**
     * How many workflows a worker keeps in memory between their tasks; one it evicted
     * replays its history at its next task. Bounded because a studio's purchases and lots
     * keep workflows open for months (README, "Reliability").
     */
    cachedWorkflows: number;
  };
  jwtSecret: string;
  stripe: {
    secretKey: string | undefined;
    webhookSecret: string;
    apiBaseUrl: string | undefined;
  };
  /** passwordSet: ADMIN_PASSWORD was given, rather than the embedded demo's default. */
  admin: { email: string; password: string; passwordSet: boolean };
  /** `npm start` seeds demo accounts into an external (DATABASE_URL) database only when this is set. */
  demoData: boolean;
  consoleOrigin: string | undefined;
  /** Fastify's trustProxy: false (the socket's address is the client), a hop count, or the proxies' addresses/CIDRs. */
  trustProxy: boolean | number | string[];
  rateLimits: { loginPerMinute: number; bookingPerMinute: number; checkoutPerMinute: number };
  /** Bearer token Prometheus sends to read /metrics; unset, only loopback may read it. */
  metricsToken: string | undefined;
  /** The reconciliation Schedule checks the books this often. */
  reconcileEveryMinutes: number;
  /** Live updates (GET /api/events). */
  events: {
    /** Every open stream gets a heartbeat this often, and its account is checked again. */
    heartbeatMs: number;
    /** Open streams one account may hold on one API instance. */
    streamsPerUser: number;
    /** A reconnecting stream is replayed at most this many missed changes; further behind, it is told to reload. */
    replayLimit: number;
    /** Change rows older than this are purged (hourly, by every instance). */
    retentionHours: number;
  };
  policies: Policies;
  /** Checkout, the purchase workflow's timers and the local Stripe simulator. */
  store: {
    /** Base URL browsers reach this API at: Checkout's return pages and the simulator page. */
    publicUrl: string;
    /** Where the simulator posts its signed events: this API's own webhook endpoint. */
    simulatorWebhookUrl: string;
    /** The simulator's bank-debit option settles (or fails) this long after checkout completes. */
    simulatorSettleMs: number;
    /** Purchase workflows stay open this long after payment; defaults to policies.refundWindowDays. */
    refundWindowSeconds: number;
    /** A checkout that is not paid within this long is given up (status expired). */
    paymentWaitSeconds: number;
  };
}

export class ConfigurationError extends Error {
  override name = 'ConfigurationError';
}

function loadDotEnv(): void {
  if (existsSync('.env')) process.loadEnvFile('.env');
}

/** Timer policies accept fractions of a minute, so tests can run them in seconds. */
function minutes(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0) {
    throw new ConfigurationError(`${name} must be a number of minutes >= 0, got "${raw}"`);
  }
  return value;
}

function positiveMinutes(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const value = minutes(env, name, fallback);
  if (value <= 0) throw new ConfigurationError(`${name} must be a number of minutes > 0, got "${env[name]}"`);
  return value;
}

/** Purchase windows accept fractions of a second, so tests run them in a moment. */
function seconds(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value <= 0) {
    throw new ConfigurationError(`${name} must be a number of seconds > 0, got "${raw}"`);
  }
  return value;
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new ConfigurationError(`${name} must be a whole number >= ${min}, got "${raw}"`);
  }
  return value;
}

/** An IANA zone (`Europe/Berlin`); the studio's calendar day and every date shown follow it. */
function timeZone(raw: string | undefined): string {
  const zone = raw?.trim() || 'UTC';
  try {
    // ICU answers a link's old name (Asia/Kolkata resolves to Asia/Calcutta): keep the name the
    // studio wrote, and take ICU's only to mend its letter case.
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
    return resolved.toLowerCase() === zone.toLowerCase() ? resolved : zone;
  } catch {
    throw new ConfigurationError(`STUDIO_TIME_ZONE must be an IANA time zone such as Europe/London or America/New_York, got "${zone}"`);
  }
}

/** SMTP_URL: `smtp://user:pass@host:587` (STARTTLS when offered) or `smtps://…:465`, as nodemailer reads it. */
function smtpUrl(raw: string | undefined): string | undefined {
  if (raw === undefined || raw.trim() === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw new ConfigurationError(`SMTP_URL must be a URL such as smtp://user:password@mail.example.com:587, got "${raw}"`);
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') {
    throw new ConfigurationError(`SMTP_URL must start with smtp:// or smtps://, got "${url.protocol}//…"`);
  }
  return url.toString();
}

function logLevel(raw: string | undefined): LogLevel {
  const level = raw?.trim().toLowerCase() || 'info';
  if (!(LOG_LEVELS as readonly string[]).includes(level)) {
    throw new ConfigurationError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${raw}"`);
  }
  return level as LogLevel;
}

/** TRUST_PROXY: unset → trust no proxy; `2` → that many hops; `10.0.0.0/8,127.0.0.1` → those addresses. */
function trustProxy(raw: string | undefined): Settings['trustProxy'] {
  if (raw === undefined || raw.trim() === '' || raw === 'false') return false;
  if (/^\d+$/.test(raw.trim())) return Number(raw.trim());
  const entries = raw
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  if (entries.some((entry) => !/^[0-9A-Fa-f.:]+(\/\d{1,3})?$/.test(entry) && !['loopback', 'linklocal', 'uniquelocal'].includes(entry))) {
    throw new ConfigurationError(`TRUST_PROXY must be a hop count or a comma-separated list of proxy addresses or CIDRs, got "${raw}"`);
  }
  return entries;
}

/**
 * Production without Stripe keys would sell through a page that anyone can use to "pay";
 * that must be asked for by name (a demo or staging site), never fall out of a missing key.
 */
function refuseSimulatorInProduction(env: NodeJS.ProcessEnv): void {
  if (env.NODE_ENV === 'production' && !env.STRIPE_SECRET_KEY && env.STRIPE_SIMULATOR !== 'true') {
    throw new ConfigurationError(
      'NODE_ENV=production needs STRIPE_SECRET_KEY (or STRIPE_SIMULATOR=true to run the checkout simulator on purpose)',
    );
  }
}

/** Secrets generated once and kept beside the data, so restarts keep tokens and webhooks valid. */
function generatedSecret(dataDir: string, name: 'jwtSecret' | 'stripeWebhookSecret'): string {
  const file = path.join(dataDir, 'secrets.json');
  const secrets: Record<string, string> = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {};
  if (!secrets[name]) {
    secrets[name] =
      name === 'stripeWebhookSecret' ? `whsec_${randomBytes(24).toString('base64url')}` : randomBytes(32).toString('base64url');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  }
  return secrets[name]!;
}

export function loadSettings(env: NodeJS.ProcessEnv = process.env): Settings {
  if (env === process.env) loadDotEnv();
  const dataDir = path.resolve(env.DATA_DIR || '.data');
  refuseSimulatorInProduction(env);
  return {
    studio: { name: env.STUDIO_NAME?.trim() || 'Studio Sessions', timeZone: timeZone(env.STUDIO_TIME_ZONE) },
    mail: { smtpUrl: smtpUrl(env.SMTP_URL), from: env.MAIL_FROM?.trim() || 'bookings@studio.test' },
    port: integer(env, 'PORT', 3000),
    host: env.HOST || '0.0.0.0',
    logLevel: logLevel(env.LOG_LEVEL),
    apiProcesses: integer(env, 'API_PROCESSES', 1, 1),
    dataDir,
    databaseUrl: env.DATABASE_URL || undefined,
    migrationDatabaseUrl: env.MIGRATION_DATABASE_URL || undefined,
    temporal: {
      address: env.TEMPORAL_ADDRESS || undefined,
      namespace: env.TEMPORAL_NAMESPACE || 'default',
      uiUrl: (env.TEMPORAL_UI_URL || 'http://localhost:8233').replace(/\/$/, ''),
      cliPath: env.TEMPORAL_CLI_PATH || undefined,
      taskQueue: env.TEMPORAL_TASK_QUEUE || 'studio-sessions',
      tls:
        env.TEMPORAL_TLS_CERT && env.TEMPORAL_TLS_KEY
          ? { clientCertPath: env.TEMPORAL_TLS_CERT, clientKeyPath: env.TEMPORAL_TLS_KEY }
          : env.TEMPORAL_TLS === 'true' || Boolean(env.TEMPORAL_API_KEY),
      apiKey: env.TEMPORAL_API_KEY || undefined,
      answerBudgetMs: integer(env, 'TEMPORAL_ANSWER_BUDGET_MS', 15_000, 1_000),
      workflowBundlePath: env.WORKFLOW_BUNDLE ? path.resolve(env.WORKFLOW_BUNDLE) : undefined,
      cachedWorkflows: integer(env, 'WORKER_CACHED_WORKFLOWS', 400, WORKFLOW_TASK_SLOTS),
    },
    jwtSecret: env.JWT_SECRET || generatedSecret(dataDir, 'jwtSecret'),
    stripe: {
      secretKey: env.STRIPE_SECRET_KEY || undefined,
      webhookSecret: env.STRIPE_WEBHOOK_SECRET || generatedSecret(dataDir, 'stripeWebhookSecret'),
      apiBaseUrl: env.STRIPE_API_BASE_URL || undefined,
    },
    admin: {
      email: env.ADMIN_EMAIL || 'admin@studio.test',
      password: env.ADMIN_PASSWORD || 'admin-demo-password',
      passwordSet: Boolean(env.ADMIN_PASSWORD),
    },
    demoData: env.DEMO_DATA === 'true',
    consoleOrigin: env.CONSOLE_ORIGIN || undefined,
    trustProxy: trustProxy(env.TRUST_PROXY),
    rateLimits: {
      loginPerMinute: integer(env, 'RATE_LIMIT_LOGIN_PER_MINUTE', 10, 1),
      bookingPerMinute: integer(env, 'RATE_LIMIT_BOOKING_PER_MINUTE', 30, 1),
      checkoutPerMinute: integer(env, 'RATE_LIMIT_CHECKOUT_PER_MINUTE', 5, 1),
    },
    metricsToken: env.METRICS_TOKEN || undefined,
    reconcileEveryMinutes: positiveMinutes(env, 'RECONCILE_EVERY_MINUTES', 60),
    events: {
      heartbeatMs: integer(env, 'EVENTS_HEARTBEAT_MS', 15_000, 100),
      streamsPerUser: integer(env, 'EVENTS_STREAMS_PER_USER', 5, 1),
      replayLimit: integer(env, 'EVENTS_REPLAY_LIMIT', 1_000, 1),
      retentionHours: integer(env, 'EVENTS_RETENTION_HOURS', 24, 1),
    },
    policies: {
      cancelWindowMinutes: integer(env, 'POLICY_CANCEL_WINDOW_MINUTES', 24 * 60),
      autoCompleteAfterMinutes: minutes(env, 'POLICY_AUTO_COMPLETE_AFTER_MINUTES', 120),
      reminderBeforeMinutes: minutes(env, 'POLICY_REMINDER_BEFORE_MINUTES', 24 * 60),
      bookingHorizonDays: integer(env, 'POLICY_BOOKING_HORIZON_DAYS', 90, 1),
      lateBookingMinutes: minutes(env, 'POLICY_LATE_BOOKING_MINUTES', 0),
      lowBalanceThreshold: integer(env, 'POLICY_LOW_BALANCE_THRESHOLD', 2),
      expiryNoticeDays: integer(env, 'POLICY_EXPIRY_NOTICE_DAYS', 7),
      refundWindowDays: integer(env, 'POLICY_REFUND_WINDOW_DAYS', 180, 1),
      waitlistCutoffMinutes: minutes(env, 'POLICY_WAITLIST_CUTOFF_MINUTES', 120),
    },
    store: {
      publicUrl: (env.PUBLIC_URL || `http://localhost:${integer(env, 'PORT', 3000)}`).replace(/\/$/, ''),
      simulatorWebhookUrl: env.STRIPE_SIMULATOR_WEBHOOK_URL || `http://127.0.0.1:${integer(env, 'PORT', 3000)}/api/webhooks/stripe`,
      simulatorSettleMs: integer(env, 'STRIPE_SIMULATOR_SETTLE_MS', 3_000),
      refundWindowSeconds: seconds(env, 'POLICY_REFUND_WINDOW_SECONDS', integer(env, 'POLICY_REFUND_WINDOW_DAYS', 180, 1) * 86_400),
      paymentWaitSeconds: seconds(env, 'POLICY_PAYMENT_WAIT_SECONDS', 14 * 86_400),
    },
  };
}
