import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../launcher/free-port.js';
import { ChangeListener, type ChangeEvent, type ListenerState } from '../../model/change-events.js';
import type { Orm } from '../../model/orm.js';
import { query } from '../../model/transaction.js';
import { openTestDatabase } from '../support/database.js';
import { eventually } from '../support/eventually.js';

/*
 * The change listener on its own, against real PostgreSQL: a database it cannot reach when
 * it starts (the API starts anyway; readiness says so) must not, once reachable, replay
 * every change ever kept to the live streams.
 */

let orm: Orm;
let url: string;

beforeAll(async () => {
  ({ orm, url } = await openTestDatabase());
});

afterAll(async () => {
  await orm?.close(true);
});

const addPackage = async (name: string) =>
  query(orm, `insert into packages (name, sessions, price_cents, currency) values (?, 1, 1000, 'usd')`, [name]);

describe('the change listener', () => {
  it('started while the database was unreachable, it delivers only what commits after it gets through', async () => {
    await addPackage('before the listener');
    await addPackage('also before');
    // Its dedicated connection goes through a relay that is not there yet.
    const relayPort = await freePort();
    const target = new URL(url);
    const unreachable = new URL(url);
    unreachable.port = String(relayPort);
    const changes: ChangeEvent[] = [];
    const states: ListenerState[] = [];
    const listener = new ChangeListener({
      orm,
      databaseUrl: unreachable.toString(),
      probeMs: 60_000,
      onChange: (change) => changes.push(change),
      onState: (state) => states.push(state),
    });
    const sockets = new Set<net.Socket>();
    const relay = net.createServer((client) => {
      const upstream = net.connect({ host: target.hostname, port: Number(target.port) });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('error', () => socket.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    try {
      await listener.start();
      expect(states).toEqual(['reconnecting']);
      await new Promise<void>((resolve) => relay.listen(relayPort, '127.0.0.1', resolve));
      await eventually(async () => expect(states.at(-1)).toBe('listening'));
      await addPackage('after the listener');
      await eventually(async () => expect(changes.map((change) => change.resource)).toEqual(['packages']));
      const [newest] = await query<{ id: string }>(orm, `select max(id) as id from change_events`);
      expect(changes[0]!.id).toBe(Number(newest!.id));
    } finally {
      await listener.close();
      for (const socket of sockets) socket.destroy();
      await new Promise((resolve) => relay.close(resolve));
    }
  });
});
