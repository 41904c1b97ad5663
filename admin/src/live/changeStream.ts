/** One committed change, as GET /api/events sends it. */
export interface Change {
    id: number;
    resource: 'ledger' | 'users' | 'sessions' | 'bookings' | 'purchases' | 'packages' | 'waitlist';
    recordId: number;
    clientId: number | null;
    trainerId: number | null;
    sessionId: number | null;
    createdAt: string;
}

export type LiveState = 'connecting' | 'live' | 'offline';

export interface ChangeHandlers {
    /** The bearer token, read again on every connect (it changes with each sign-in). */
    token: () => string | null;
    onChange: (change: Change) => void;
    /** The stream was too far behind to replay what it missed: everything shown may be stale. */
    onReset: () => void;
    onState: (state: LiveState) => void;
    /** The API no longer accepts this sign-in. */
    onSignedOut: () => void;
}

const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 10_000;

interface StreamEvent {
    event: string;
    id: string | undefined;
    data: string;
}

function parse(block: string): StreamEvent {
    const event: StreamEvent = { event: 'message', id: undefined, data: '' };
    const data: string[] = [];
    for (const line of block.split('\n')) {
        const colon = line.indexOf(':');
        if (colon === 0) continue;
        const field = colon === -1 ? line : line.slice(0, colon);
        const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
        if (field === 'event') event.event = value;
        else if (field === 'id') event.id = value;
        else if (field === 'data') data.push(value);
    }
    return { ...event, data: data.join('\n') };
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows GET /api/events until stopped. EventSource cannot send the bearer token (and a
 * token in a URL ends up in logs), so this reads the stream with fetch. A dropped stream is
 * reopened with backoff and `Last-Event-ID`, so the API replays what was missed; a stream
 * silent for three heartbeats is taken for dead (a proxy or a sleeping laptop lost it).
 */
export function followChanges(handlers: ChangeHandlers): () => void {
    let stopped = false;
    let lastEventId: string | undefined;
    let connection: AbortController | undefined;
    let retryMs = FIRST_RETRY_MS;

    const readOnce = async (token: string): Promise<'again' | 'signed out'> => {
        const abort = new AbortController();
        connection = abort;
        let watchdog: ReturnType<typeof setTimeout> | undefined;
        const expectWithin = (ms: number) => {
            clearTimeout(watchdog);
            watchdog = setTimeout(() => abort.abort(), ms);
        };
        try {
            expectWithin(30_000);
            const response = await fetch('/api/events', {
                headers: {
                    accept: 'text/event-stream',
                    authorization: `Bearer ${token}`,
                    ...(lastEventId === undefined ? {} : { 'last-event-id': lastEventId }),
                },
                cache: 'no-store',
                signal: abort.signal,
            });
            if (response.status === 401) return 'signed out';
            if (!response.ok || !response.body) return 'again';
            const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
            let buffer = '';
            let silentMs = 30_000;
            for (;;) {
                const { value, done } = await reader.read();
                if (done) return 'again';
                expectWithin(silentMs);
                buffer += value.replace(/\r\n?/g, '\n');
                for (let end = buffer.indexOf('\n\n'); end !== -1; end = buffer.indexOf('\n\n')) {
                    const event = parse(buffer.slice(0, end));
                    buffer = buffer.slice(end + 2);
                    if (event.id !== undefined) lastEventId = event.id;
                    if (event.event === 'ready') {
                        silentMs = 3 * (JSON.parse(event.data) as { heartbeatMs: number }).heartbeatMs;
                        expectWithin(silentMs);
                        retryMs = FIRST_RETRY_MS;
                        handlers.onState('live');
                    } else if (event.event === 'change') handlers.onChange(JSON.parse(event.data) as Change);
                    else if (event.event === 'reset') handlers.onReset();
                }
            }
        } catch {
            // Dropped, aborted by the watchdog or by stop(): the loop decides.
            return 'again';
        } finally {
            clearTimeout(watchdog);
        }
    };

    const run = async () => {
        while (!stopped) {
            const token = handlers.token();
            if (!token) break;
            handlers.onState('connecting');
            const outcome = await readOnce(token);
            if (stopped) return;
            handlers.onState('offline');
            if (outcome === 'signed out') {
                handlers.onSignedOut();
                return;
            }
            await pause(retryMs);
            retryMs = Math.min(retryMs * 2, LAST_RETRY_MS);
        }
        handlers.onState('offline');
    };
    void run();

    return () => {
        stopped = true;
        connection?.abort();
    };
}
