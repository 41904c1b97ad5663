import net from 'node:net';
import { freePort } from '../../launcher/free-port.js';

/**
 * A TCP relay between the sender and a real SMTP server, for fault tests: it can hold
 * back the end of the next message (the line with the lone ".") so a test can kill the
 * sender while that message is in flight, before the server could accept it. Everything
 * else passes through untouched; nothing here answers SMTP itself.
 */
export interface SmtpProxy {
  url: string;
  /** Resolves once a message body has arrived with its end held back. */
  holdNextMessageEnd(): Promise<void>;
  close(): Promise<void>;
}

const END_OF_DATA = '\r\n.\r\n';

export async function startSmtpProxy(upstreamPort: number): Promise<SmtpProxy> {
  const port = await freePort();
  let hold: (() => void) | undefined;
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect({ host: '127.0.0.1', port: upstreamPort });
    sockets.add(client);
    sockets.add(upstream);
    let holding = false;
    // The end may straddle two writes ("…\r\n" then ".\r\n"), so the search spans the last one's tail.
    let tail = '';
    upstream.on('data', (chunk) => client.write(chunk));
    client.on('data', (chunk) => {
      if (holding) return;
      const text = chunk.toString('latin1');
      const seen = tail + text;
      tail = seen.slice(-(END_OF_DATA.length - 1));
      if (hold && seen.includes(END_OF_DATA)) {
        holding = true;
        const release = hold;
        hold = undefined;
        release();
        return;
      }
      upstream.write(chunk);
    });
    // Either side gone: the other goes too, so the server never sees a message end that was held.
    const closeBoth = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('close', closeBoth);
    upstream.on('close', closeBoth);
    client.on('error', closeBoth);
    upstream.on('error', closeBoth);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    url: `smtp://127.0.0.1:${port}`,
    holdNextMessageEnd: () => new Promise<void>((resolve) => (hold = resolve)),
    close: async () => {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
