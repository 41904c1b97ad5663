import { PassThrough } from 'node:stream';
import type { FastifyBaseLogger } from 'fastify';
import type { Settings } from '../../config/settings.js';
import { accountAccess } from '../../model/accounts.js';
import { ChangeListener, changeLogBounds, changesAfter, purgeChanges, type ChangeEvent } from '../../model/change-events.js';
import type { Role } from '../../model/entities/user.js';
import type { Orm } from '../../model/orm.js';
import { HttpError } from '../errors.js';

/** Who holds a stream: what they may see and how long their sign-in lasts. */
export interface Viewer {
  userId: number;
  role: Role;
  tokenVersion: number;
  /** The token's expiry (ms since epoch): the stream ends with it. */
  expiresAt: number | undefined;
}

/** Admins see every change; a trainer their own sessions' (and own account's); a client only their own. */
export function maySee(viewer: Viewer, change: ChangeEvent): boolean {
  if (viewer.role === 'admin') return true;
  if (viewer.role === 'trainer') return change.trainerId === viewer.userId;
  return change.clientId === viewer.userId;
}

/** More than this unread by a slow reader and its stream is ended; it reconnects and resumes from its last id. */
const MAX_UNREAD_BYTES = 1 << 20;
const PURGE_EVERY_MS = 3_600_000;

class Stream {
  readonly body = new PassThrough();
  /** Live changes wait here while the stream's catch-up is being sent. */
  pending: ChangeEvent[] | undefined = [];

  constructor(readonly viewer: Viewer) {}

  write(chunk: string): void {
    if (this.body.destroyed || this.body.writableEnded) return;
    if (this.body.writableLength > MAX_UNREAD_BYTES) this.end();
    else this.body.write(chunk);
  }

  send(event: string, data: unknown, id?: number): void {
    this.write(`${id === undefined ? '' : `id: ${id}\n`}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  change(change: ChangeEvent): void {
    this.send('change', change, change.id);
  }

  end(): void {
    if (!this.body.writableEnded) this.body.end();
  }
}

/**
 * The API instance's live streams, all fed by one ChangeListener: each change is read once
 * from PostgreSQL and written to every stream whose holder may see it.
 */
export class EventHub {
  private readonly streams = new Set<Stream>();
  private readonly listener: ChangeListener;
  private heartbeat: NodeJS.Timeout | undefined;
  private beating = false;
  private purge: NodeJS.Timeout | undefined;

  constructor(
    private readonly orm: Orm,
    private readonly settings: Settings['events'],
    private readonly log: FastifyBaseLogger,
  ) {
    this.listener = new ChangeListener({
      orm,
      databaseUrl: orm.config.get('clientUrl')!,
      probeMs: settings.heartbeatMs,
      onChange: (change) => this.fanOut(change),
      onState: (state, error) =>
        state === 'listening'
          ? log.info('live updates: listening again, caught up')
          : log.warn({ err: error }, 'live updates: lost the listening connection, reconnecting'),
    });
  }

  async start(): Promise<void> {
    await this.listener.start();
    this.heartbeat = setInterval(() => void this.beat(), this.settings.heartbeatMs);
    this.heartbeat.unref();
    this.purge = setInterval(() => void this.purgeOld(), PURGE_EVERY_MS);
    this.purge.unref();
    await this.purgeOld();
  }

  /** Ends every stream (so the server can close) and stops listening. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    clearInterval(this.purge);
    for (const stream of this.streams) stream.end();
    this.streams.clear();
    await this.listener.close();
  }

  /**
   * Opens a stream for the viewer: the changes they missed since `lastEventId` (or a
   * `reset` when those are no longer all kept), then `ready`, then every change as it
   * commits. Refuses a viewer already holding `streamsPerUser` streams here (429).
   */
  async open(viewer: Viewer, lastEventId: number | undefined): Promise<PassThrough> {
    const held = [...this.streams].filter((stream) => stream.viewer.userId === viewer.userId).length;
    if (held >= this.settings.streamsPerUser) {
      throw new HttpError(
        429,
        'TOO_MANY_STREAMS',
        `This account already has ${held} live streams open here (the most allowed); close one, e.g. another tab, and try again.`,
      );
    }
    const stream = new Stream(viewer);
    this.streams.add(stream);
    stream.body.on('close', () => this.streams.delete(stream));
    // A reader that went away destroys the body under a write in flight; that is a closed stream, not a fault.
    stream.body.on('error', () => this.streams.delete(stream));
    try {
      const { first, last } = await changeLogBounds(this.orm);
      let cursor = last;
      const replayed = new Set<number>();
      if (lastEventId !== undefined) {
        const kept = lastEventId <= last && (first === null || lastEventId >= first);
        const missed = kept ? await changesAfter(this.orm, lastEventId, this.settings.replayLimit + 1) : [];
        if (!kept || missed.length > this.settings.replayLimit) {
          stream.send('reset', { reason: 'Too far behind to replay what changed: reload everything.' }, last);
        } else {
          for (const change of missed) {
            replayed.add(change.id);
            if (maySee(viewer, change)) stream.change(change);
          }
          cursor = Math.max(last, missed.at(-1)?.id ?? 0);
        }
      }
      stream.send('ready', { heartbeatMs: this.settings.heartbeatMs }, cursor);
      const waiting = stream.pending ?? [];
      stream.pending = undefined;
      for (const change of waiting) if (!replayed.has(change.id) && change.id > (lastEventId ?? 0)) stream.change(change);
    } catch (error) {
      stream.end();
      throw error;
    }
    return stream.body;
  }

  private fanOut(change: ChangeEvent): void {
    for (const stream of this.streams) {
      if (!maySee(stream.viewer, change)) continue;
      if (stream.pending) stream.pending.push(change);
      else stream.change(change);
    }
  }

  /** A comment keeps proxies and the reader's watchdog content; an account changed since or a token expired ends its streams. */
  private async beat(): Promise<void> {
    // Many streams on a slow database can take longer than one interval: a beat still running skips the next.
    if (this.beating) return;
    this.beating = true;
    try {
      await this.beatEach(Date.now());
    } finally {
      this.beating = false;
    }
  }

  private async beatEach(now: number): Promise<void> {
    for (const stream of this.streams) {
      const { userId, role, tokenVersion, expiresAt } = stream.viewer;
      const account = await accountAccess(this.orm, userId).catch(() => 'unknown' as const);
      if (account === 'unknown') {
        stream.write(': heartbeat\n\n');
        continue;
      }
      const valid = account && account.active && account.role === role && account.tokenVersion === tokenVersion;
      if (!valid || (expiresAt !== undefined && expiresAt <= now)) {
        stream.send('ended', { message: 'This sign-in is no longer valid; sign in again.' });
        stream.end();
      } else stream.write(': heartbeat\n\n');
    }
  }

  private async purgeOld(): Promise<void> {
    try {
      const purged = await purgeChanges(this.orm, this.settings.retentionHours);
      if (purged > 0) this.log.info({ purged }, 'live updates: purged old changes');
    } catch (error) {
      this.log.warn({ err: error }, 'live updates: purging old changes failed; next try in an hour');
    }
  }
}
