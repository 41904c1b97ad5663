import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { query } from '../../model/transaction.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { listeningUrl, openEventStream } from '../support/event-stream.js';
import { expectLedgerConsistent } from '../support/invariants.js';
import { startStack, type TestStack } from '../support/stack.js';
import { isEventStream, routeKey, routeRecorder, type RegisteredRoute } from './routes.js';
import { asText, hostileValue, valueFor, type ArbitraryOptions } from './schema-arbitraries.js';

/*
 * Every route, fed requests generated from its own schemas (see schema-arbitraries.ts),
 * as an anonymous caller, a client, a trainer or an admin. Nothing may answer 5xx or take
 * longer than 2 s, and the ledger's invariants must hold afterwards.
 *
 * FUZZ_RUNS sets how many requests (npm test runs a short form; `npm run test:fuzz` runs
 * 10,000); FUZZ_SEED replays a run exactly.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 1500);
const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const SLOW_MS = 2_000;

type Caller = 'anonymous' | 'client' | 'trainer' | 'admin';
interface Sample {
  route: RegisteredRoute;
  caller: Caller;
  params: Record<string, unknown>;
  query: Record<string, unknown>;
  headers: Record<string, unknown>;
  body: unknown;
  rawBody: string | undefined;
}

const recorder = routeRecorder();
let stack: TestStack;
const callers = {} as Record<Caller, TestUser | undefined>;
const options: ArbitraryOptions = { knownIds: [] };

beforeAll(async () => {
  stack = await startStack({ STRIPE_API_BASE_URL: '' }, { onRoute: recorder.onRoute });
  callers.admin = await createUser(stack, 'admin');
  callers.client = await createUser(stack, 'client');
  callers.trainer = await createUser(stack, 'trainer');
  callers.anonymous = undefined;
  await grant(stack, callers.client.id, 20);
  // A lot with an expiry, so the extend route meets a real lot among the ids it is sent.
  await grant(stack, callers.client.id, 2, new Date(Date.now() + 30 * 86_400_000));
  const [lot] = await query<{ id: number }>(stack.orm, `select id from credit_lots where expires_at is not null`);
  const sessions = [];
  for (let i = 0; i < 4; i += 1) sessions.push(await createSession(stack, callers.admin, callers.trainer.id, { capacity: 2 }));
  // A weekly series, so the series routes meet a real one among the ids they are sent.
  const series = await stack.app.inject({
    method: 'POST',
    url: '/api/sessions',
    headers: callers.admin.headers,
    payload: {
      trainerId: callers.trainer.id,
      startsAt: new Date(Date.now() + 20 * 86_400_000).toISOString(),
      durationMinutes: 30,
      repeatWeeks: 2,
    },
  });
  options.knownStrings = [series.json().seriesId];
  const [pkg] = await query<{ id: number }>(
    stack.orm,
    `insert into packages (name, sessions, price_cents) values ('Fuzz', 3, 9000) returning id`,
  );
  const checkout = await stack.app.inject({
    method: 'POST',
    url: '/api/checkout',
    headers: callers.client.headers,
    payload: { packageId: pkg!.id },
  });
  options.knownIds = [
    callers.admin.id,
    callers.client.id,
    callers.trainer.id,
    pkg!.id,
    checkout.json().purchaseId,
    lot!.id,
    ...sessions.map((session) => session.id),
  ];
});
afterAll(() => stack?.close());

function objectSchema(schema: unknown): Record<string, Record<string, unknown>> {
  const properties = (schema as { properties?: Record<string, Record<string, unknown>> } | undefined)?.properties;
  return properties ?? {};
}

function sampleFor(route: RegisteredRoute): fc.Arbitrary<Sample> {
  const schema = route.schema ?? {};
  const part = (name: 'params' | 'querystring' | 'headers') =>
    fc.record(
      Object.fromEntries(Object.entries(objectSchema(schema[name])).map(([key, property]) => [key, valueFor(property, key, options)])),
      { requiredKeys: [] },
    );
  const pathNames = [...route.url.matchAll(/:(\w+)/g)].map((match) => match[1]!);
  const params = fc.record(Object.fromEntries(pathNames.map((key) => [key, valueFor(objectSchema(schema.params)[key], key, options)])));
  const body = schema.body
    ? valueFor(schema.body as Record<string, unknown>, 'body', options)
    : fc.oneof(fc.constant(undefined), hostileValue);
  const rawBody = fc.oneof(
    { weight: 9, arbitrary: fc.constant(undefined) },
    { weight: 1, arbitrary: fc.constantFrom('{', '{"a":', 'nul\u0000l', '[]', '"text"', '1e999', '{"__proto__":{"admin":true}}') },
  );
  return fc.record({
    route: fc.constant(route),
    caller: fc.constantFrom<Caller>('admin', 'admin', 'client', 'trainer', 'anonymous'),
    params,
    query: part('querystring'),
    headers: part('headers'),
    body,
    rawBody,
  });
}

function toRequest(sample: Sample) {
  let url = sample.route.url === '*' ? '/api/me' : sample.route.url.replace(/\*$/, '');
  for (const [key, value] of Object.entries(sample.params)) url = url.replace(`:${key}`, encodeURIComponent(asText(value)));
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(sample.query)) if (value !== undefined) search.set(key, asText(value));
  const caller = callers[sample.caller];
  const hasBody = sample.route.method !== 'GET' && sample.route.method !== 'OPTIONS';
  // Only what HTTP can carry in a header: a client cannot send a line break or a character past Latin-1 there.
  const headers = Object.fromEntries(
    Object.entries(sample.headers)
      .map(([key, value]) => [key, asText(value)] as const)
      .filter(([, value]) => value !== '' && /^[\t\x20-\x7e\x80-\xff]*$/.test(value)),
  );
  return {
    method: sample.route.method as 'GET',
    url: search.size > 0 ? `${url}?${search}` : url,
    headers: { ...headers, ...(caller?.headers ?? {}), ...(hasBody ? { 'content-type': 'application/json' } : {}) },
    ...(hasBody && (sample.rawBody !== undefined || sample.body !== undefined)
      ? { payload: sample.rawBody ?? JSON.stringify(sample.body) }
      : {}),
  };
}

/** An event stream never ends, so `inject` would wait forever: over a real socket, the status and the first event. */
async function streamAnswer(request: ReturnType<typeof toRequest>): Promise<{ statusCode: number; body: string }> {
  const reader = await openEventStream(await listeningUrl(stack.app), request.headers, request.url);
  try {
    if (reader.status !== 200) return { statusCode: reader.status, body: reader.text ?? '' };
    const first = await reader.next(SLOW_MS);
    return { statusCode: first.event === 'ready' || first.event === 'reset' ? 200 : 500, body: `first event: ${first.event}` };
  } finally {
    reader.close();
  }
}

describe(`fuzzing every route from its own schema (${RUNS} requests, seed ${SEED})`, () => {
  it('never answers 5xx, never takes 2 s, and leaves the ledger consistent', async () => {
    const routes = recorder.routes();
    const byStatus = new Map<number, number>();
    const failures: string[] = [];
    let slowest = 0;
    let sent = 0;
    let streamed = 0;
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(fc.oneof(...routes.map(sampleFor)), async (sample) => {
        const request = toRequest(sample);
        const began = performance.now();
        const stream = isEventStream(sample.route);
        streamed += Number(stream);
        const answer = stream ? await streamAnswer(request) : await stack.app.inject(request);
        const elapsed = performance.now() - began;
        sent += 1;
        slowest = Math.max(slowest, elapsed);
        byStatus.set(answer.statusCode, (byStatus.get(answer.statusCode) ?? 0) + 1);
        if (answer.statusCode >= 500 || elapsed > SLOW_MS) {
          failures.push(
            `${answer.statusCode} in ${elapsed.toFixed(0)} ms: ${request.method} ${request.url} ${String(request.payload ?? '').slice(0, 200)} → ${answer.body.slice(0, 200)}`,
          );
        }
        return true;
      }),
      { numRuns: RUNS, seed: SEED, endOnFailure: false },
    );
    const seconds = (performance.now() - started) / 1000;
    const statuses = [...byStatus.entries()]
      .sort(([a], [b]) => a - b)
      .map(([status, count]) => `${status}×${count}`)
      .join(' ');
    console.log(
      `fuzz: ${sent} requests over ${routes.length} routes in ${seconds.toFixed(1)} s (seed ${SEED}); ` +
        `${streamed} of them to event streams over a socket; answers ${statuses}; 5xx: ${[...byStatus].filter(([status]) => status >= 500).reduce((sum, [, count]) => sum + count, 0)}; slowest ${slowest.toFixed(0)} ms`,
    );
    expect(sent).toBe(RUNS);
    expect(failures.slice(0, 20)).toEqual([]);
    // Requests that got past validation and authorization: the fuzz reached the handlers.
    expect([...byStatus.keys()].some((status) => status >= 200 && status < 300)).toBe(true);
    await expectLedgerConsistent(stack.orm);
  }, 900_000);

  it('covers every route', () => {
    expect(new Set(recorder.routes().map(routeKey)).size).toBeGreaterThan(40);
  });
});
