import { get, type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';

/** One Server-Sent Event as a reader sees it; a block of comment lines alone is `event: 'comment'`. */
export interface SseEvent {
  event: string;
  id: string | undefined;
  data: string;
  /** When the last byte of the event arrived (performance.now()). */
  at: number;
}

export interface EventStreamReader {
  status: number;
  headers: IncomingHttpHeaders;
  /** The whole body when the answer is not a stream (a refusal). */
  text: string | undefined;
  /** The next event (comments included), or a rejection after `timeoutMs`. */
  next(timeoutMs?: number): Promise<SseEvent>;
  /** The next event named `event`, skipping others (heartbeats, other kinds). */
  nextOf(event: string, timeoutMs?: number): Promise<SseEvent>;
  close(): void;
}

/** The app's own address once it listens: `app.inject` waits for a response's end, which a stream never reaches. */
export async function listeningUrl(app: FastifyInstance): Promise<string> {
  if (!app.server.listening) await app.listen({ host: '127.0.0.1', port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

function parse(block: string, at: number): SseEvent {
  const event: SseEvent = { event: 'message', id: undefined, data: '', at };
  const data: string[] = [];
  const comments: string[] = [];
  for (const line of block.split('\n')) {
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === '') comments.push(value);
    else if (field === 'event') event.event = value;
    else if (field === 'id') event.id = value;
    else if (field === 'data') data.push(value);
  }
  if (data.length === 0 && event.event === 'message' && comments.length > 0)
    return { ...event, event: 'comment', data: comments.join('\n') };
  return { ...event, data: data.join('\n') };
}

/**
 * GET /api/events over a real socket of its own (no keep-alive pool: fetch's pool opens a
 * spare connection after an aborted stream, which the server then waits on when it closes).
 */
export async function openEventStream(base: string, headers: Record<string, string>, path = '/api/events'): Promise<EventStreamReader> {
  const response = await new Promise<IncomingMessage>((resolve, reject) => {
    get(`${base}${path}`, { headers, agent: false }, resolve).on('error', reject);
  });
  // Closing it is the reader's own doing: the reset that follows is no failure.
  response.on('error', () => undefined);
  response.socket.on('error', () => undefined);
  const status = response.statusCode ?? 0;
  const streaming = status === 200 && (response.headers['content-type'] ?? '').startsWith('text/event-stream');
  let text: string | undefined;
  if (!streaming) {
    const chunks: Buffer[] = [];
    for await (const chunk of response) chunks.push(chunk as Buffer);
    text = Buffer.concat(chunks).toString('utf8');
  }
  const ready: SseEvent[] = [];
  const waiters: (() => void)[] = [];
  let buffer = '';
  let ended = false;
  const wake = () => waiters.splice(0).forEach((waiter) => waiter());
  if (streaming) {
    response.setEncoding('utf8');
    response.on('data', (chunk: string) => {
      buffer += chunk.replace(/\r\n?/g, '\n');
      const now = performance.now();
      let end: number;
      while ((end = buffer.indexOf('\n\n')) !== -1) {
        ready.push(parse(buffer.slice(0, end), now));
        buffer = buffer.slice(end + 2);
      }
      wake();
    });
    response.on('close', () => {
      ended = true;
      wake();
    });
  }

  const next = async (timeoutMs = 5_000): Promise<SseEvent> => {
    if (!streaming) throw new Error(`not a stream: ${status} ${text}`);
    const deadline = Date.now() + timeoutMs;
    while (ready.length === 0) {
      if (ended) throw new Error('the event stream ended');
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`no event within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return ready.shift()!;
  };

  return {
    status,
    headers: response.headers,
    text,
    next,
    async nextOf(event, timeoutMs = 5_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const found = await next(Math.max(1, deadline - Date.now()));
        if (found.event === event) return found;
      }
    },
    close: () => response.destroy(),
  };
}
