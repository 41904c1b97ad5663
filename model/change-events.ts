import pg from 'pg';
import type { Orm } from './orm.js';
import { query } from './transaction.js';

/**
 * The change log behind live updates: triggers write one `change_events` row per committed
 * change and NOTIFY it on this channel (see the change_events migration). Every API
 * instance listens, so a change made through any instance or by any worker reaches every
 * open stream; the table lets a listener or a browser catch up after a gap.
 */
export const CHANGE_CHANNEL = 'change_events';
/** How the listening connection names itself in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'studio-sessions change listener';

export type ChangeResource = 'ledger' | 'users' | 'sessions' | 'bookings' | 'purchases' | 'packages' | 'waitlist';

/** One committed change, and whom it concerns (admins see every change). */
export interface ChangeEvent {
  id: number;
  resource: ChangeResource;
  recordId: number;
  clientId: number | null;
  trainerId: number | null;
  sessionId: number | null;
  createdAt: string;
}

interface ChangeRow {
  id: string | number;
  resource: ChangeResource;
  recordId: string | number;
  clientId: number | null;
  trainerId: number | null;
  sessionId: number | null;
  createdAt: string | Date;
}

/** Row and notification alike: bigint ids arrive as text from the driver, as numbers from JSON. */
function toChange(row: ChangeRow): ChangeEvent {
  return {
    id: Number(row.id),
    resource: row.resource,
    recordId: Number(row.recordId),
    clientId: row.clientId,
    trainerId: row.trainerId,
    sessionId: row.sessionId,
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

const COLUMNS = `id, resource, record_id as "recordId", client_id as "clientId", trainer_id as "trainerId",
  session_id as "sessionId", created_at as "createdAt"`;

/** The changes after `afterId`, oldest first, at most `limit`. */
export async function changesAfter(orm: Orm, afterId: number, limit: number): Promise<ChangeEvent[]> {
  const rows = await query<ChangeRow & Record<string, unknown>>(
    orm,
    `select ${COLUMNS} from change_events where id > ? order by id limit ?`,
    [afterId, limit],
  );
  return rows.map(toChange);
}

/** The oldest change still kept (null when none) and the newest (0 when none). */
export async function changeLogBounds(orm: Orm): Promise<{ first: number | null; last: number }> {
  const [row] = await query<{ first: string | null; last: string | null }>(
    orm,
    'select min(id) as first, max(id) as last from change_events',
  );
  return { first: row?.first == null ? null : Number(row.first), last: Number(row?.last ?? 0) };
}

/**
 * Deletes changes older than the retention, always keeping the newest one: a stream that
 * saw it can then tell "nothing happened since" from "what happened since was purged".
 */
export async function purgeChanges(orm: Orm, retentionHours: number): Promise<number> {
  const [row] = await query<{ purged: number }>(
    orm,
    `with gone as (
       delete from change_events
        where created_at < now() - make_interval(hours => ?) and id < (select max(id) from change_events)
       returning 1)
     select count(*)::int as purged from gone`,
    [retentionHours],
  );
  return row?.purged ?? 0;
}

export type ListenerState = 'listening' | 'reconnecting';

export interface ChangeListenerOptions {
  orm: Orm;
  databaseUrl: string;
  onChange: (change: ChangeEvent) => void;
  onState?: (state: ListenerState, error?: Error) => void;
  /** A quiet connection is probed this often, so one that died without a word is noticed. */
  probeMs: number;
}

const FIRST_RETRY_MS = 100;
const LAST_RETRY_MS = 5_000;
const CATCH_UP_PAGE = 500;
/** Ids already delivered, so an overlap between catch-up and notifications is delivered once. */
const REMEMBERED_IDS = 10_000;

/**
 * One dedicated connection LISTENing on the change channel (a pooled one would be handed
 * back and lose its LISTEN). When it drops, it reconnects with backoff and catches up from
 * the table from the last change it delivered, so its subscribers miss nothing.
 */
export class ChangeListener {
  private client: pg.Client | undefined;
  private lastId = 0;
  private readonly delivered = new Set<number>();
  private retryMs = FIRST_RETRY_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private probeTimer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Whether lastId is known: until then there is nothing to catch up from. */
  private positioned = false;

  constructor(private readonly options: ChangeListenerOptions) {}

  /**
   * Listens from the newest change on. A database unreachable at start is no reason to
   * refuse to start (readiness says so): it keeps trying, and starts from the newest
   * change once it gets through.
   */
  async start(): Promise<void> {
    this.probeTimer = setInterval(() => void this.probe(), this.options.probeMs);
    this.probeTimer.unref();
    try {
      await this.connect();
      await this.position();
    } catch (error) {
      this.failed(error as Error);
    }
  }

  /** From the newest change on: called once it listens, so nothing committed after is missed. */
  private async position(): Promise<void> {
    this.lastId = Math.max(this.lastId, (await changeLogBounds(this.options.orm)).last);
    this.positioned = true;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.probeTimer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client = new pg.Client({
      connectionString: this.options.databaseUrl,
      application_name: LISTENER_APPLICATION_NAME,
      keepAlive: true,
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the listening connection closed')));
    client.on('notification', (message) => {
      if (message.channel !== CHANGE_CHANNEL || !message.payload) return;
      this.deliver(toChange(JSON.parse(message.payload) as ChangeRow));
    });
    try {
      await client.connect();
      await client.query(`listen ${CHANGE_CHANNEL}`);
    } catch (error) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      throw error;
    }
    if (this.closed) {
      client.removeAllListeners('end');
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
  }

  private deliver(change: ChangeEvent): void {
    if (this.delivered.has(change.id)) return;
    this.delivered.add(change.id);
    if (this.delivered.size > REMEMBERED_IDS) this.delivered.delete(this.delivered.values().next().value!);
    this.lastId = Math.max(this.lastId, change.id);
    this.options.onChange(change);
  }

  private async probe(): Promise<void> {
    const client = this.client;
    if (!client) return;
    await client.query('select 1').catch((error: Error) => this.lost(client, error));
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.closed || this.client !== client) return;
    this.client = undefined;
    client.removeAllListeners('end');
    void client.end().catch(() => undefined);
    this.options.onState?.('reconnecting', error);
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.closed) return;
    this.retryTimer = setTimeout(() => void this.reconnect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, LAST_RETRY_MS);
  }

  private async reconnect(): Promise<void> {
    try {
      await this.connect();
      // It never got through at start: nothing was delivered yet, so it starts from the
      // newest change, as a start that got through does, not from the first ever kept.
      if (!this.positioned) await this.position();
      else {
        // Listening again before reading the table: whatever commits meanwhile arrives one way or the other.
        for (let cursor = this.lastId; ;) {
          const missed = await changesAfter(this.options.orm, cursor, CATCH_UP_PAGE);
          for (const change of missed) this.deliver(change);
          if (missed.length < CATCH_UP_PAGE) break;
          cursor = missed.at(-1)!.id;
        }
      }
      this.retryMs = FIRST_RETRY_MS;
      this.options.onState?.('listening');
    } catch (error) {
      this.failed(error as Error);
    }
  }

  private failed(error: Error): void {
    const client = this.client;
    if (client) this.lost(client, error);
    else {
      this.options.onState?.('reconnecting', error);
      this.scheduleReconnect();
    }
  }
}
