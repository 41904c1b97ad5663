import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WorkflowCommands } from '../../api/workflow-commands.js';
import { withRequestId } from '../../logs/request-ids.js';
import { bookingWorkflowId, purchaseWorkflowId } from '../../workflows/definitions.js';
import { createSession, createUser, grant, type TestUser } from '../support/actors.js';
import { eventually } from '../support/eventually.js';
import { startStack, type TestStack } from '../support/stack.js';
import { unusedPurchaseId } from '../support/stripe.js';
import { crash, spawnWorker } from '../support/worker-process.js';

/**
 * An on-call engineer follows one request by its id: the API's JSON lines (read here from
 * its pino destination) and the worker's (the stdout of a real `npm run worker` process)
 * both name it, next to the workflow it reached.
 */
type Line = Record<string, unknown>;

const apiOutput: string[] = [];
let workerOutput = '';
let stack: TestStack;
let worker: ChildProcess;
let admin: TestUser;
let trainer: TestUser;
let baseUrl: string;

const apiLines = (): Line[] => apiOutput.map((line) => JSON.parse(line) as Line);
/** Every line the worker wrote since it was ready; JSON.parse fails the test on any that is not JSON. */
const workerLines = (): Line[] =>
  workerOutput
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Line);

const chosenId = (what: string) => `${what}-${randomBytes(6).toString('hex')}`;

beforeAll(async () => {
  stack = await startStack({}, { worker: false, logger: { destination: { write: (line: string) => void apiOutput.push(line) } } });
  // Debug, so that each activity's completion is a line (at info only failures are).
  worker = await spawnWorker(stack.settings, { LOG_LEVEL: 'debug' });
  worker.stdout!.on('data', (chunk: Buffer) => (workerOutput += chunk.toString()));
  admin = await createUser(stack, 'admin');
  trainer = await createUser(stack, 'trainer');
  baseUrl = await stack.app.listen({ host: '127.0.0.1', port: 0 });
}, 180_000);
afterAll(async () => {
  if (worker) await crash(worker);
  await stack?.close();
});

async function book(client: TestUser, sessionId: number, requestId?: string) {
  return stack.app.inject({
    method: 'POST',
    url: `/api/sessions/book/${client.id}`,
    headers: { ...client.headers, ...(requestId === undefined ? {} : { 'x-request-id': requestId }) },
    payload: { sessionId },
  });
}

describe('request ids in the logs', () => {
  it("a booking's request id comes back, and names its lines in the API and its activity's lines in the worker", async () => {
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 1);
    const session = await createSession(stack, admin, trainer.id);
    const requestId = chosenId('booking');
    const workflowId = bookingWorkflowId(session.id, client.id);

    // Over a socket, as in production: the body arrives in events of its own, which must not lose the request's id.
    const booked = await fetch(`${baseUrl}/api/sessions/book/${client.id}`, {
      method: 'POST',
      headers: { ...client.headers, 'content-type': 'application/json', 'x-request-id': requestId },
      body: JSON.stringify({ sessionId: session.id }),
    });
    expect(booked.status, await booked.text()).toBe(200);
    expect(booked.headers.get('x-request-id')).toBe(requestId);

    const lines = apiLines();
    expect(lines.filter((line) => line.reqId === requestId).map((line) => line.msg)).toEqual(
      expect.arrayContaining(['incoming request', 'workflow command', 'request completed']),
    );
    expect(lines.find((line) => line.msg === 'workflow command' && line.reqId === requestId)).toMatchObject({
      level: 'info',
      command: 'book',
      workflowId,
      outcome: 'answered',
    });
    for (const line of lines) expect(Number.isNaN(Date.parse(String(line.time)))).toBe(false);

    await eventually(async () => {
      const activity = workerLines().find(
        (line) => line.workflowId === workflowId && line.activityType === 'bookSeat' && line.msg === 'Activity completed',
      );
      expect(activity).toMatchObject({ reqId: requestId, level: 'debug', isLocal: true });
      expect(typeof activity!.runId).toBe('string');
      expect(Number.isNaN(Date.parse(String(activity!.time)))).toBe(false);
    }, 20_000);
  });

  it("a later signal's request id names the work the workflow does for it, not the booking's", async () => {
    const client = await createUser(stack, 'client');
    await grant(stack, client.id, 1);
    const session = await createSession(stack, admin, trainer.id);
    const bookingId = chosenId('booking');
    expect((await book(client, session.id, bookingId)).statusCode).toBe(200);
    const confirmId = chosenId('confirm');
    const confirmed = await stack.app.inject({
      method: 'POST',
      url: `/api/sessions/${session.id}/confirm`,
      headers: { ...admin.headers, 'x-request-id': confirmId },
      payload: {},
    });
    expect(confirmed.statusCode, confirmed.body).toBe(202);

    const workflowId = bookingWorkflowId(session.id, client.id);
    await eventually(async () => {
      const activity = workerLines().find(
        (line) => line.workflowId === workflowId && line.activityType === 'confirmBooking' && line.msg === 'Activity completed',
      );
      expect(activity).toMatchObject({ reqId: confirmId, isLocal: false });
    }, 20_000);
    expect(apiLines().find((line) => line.msg === 'workflow command' && line.reqId === confirmId)).toMatchObject({
      command: 'signal',
      workflowId,
      signal: 'confirm',
    });
  });

  it('a request id that is too long or has unsafe characters is replaced, never echoed', async () => {
    const longest = 'a'.repeat(64);
    const kept = await stack.app.inject({ url: '/healthz', headers: { 'x-request-id': longest } });
    expect(kept.headers['x-request-id']).toBe(longest);

    for (const unsafe of ['a'.repeat(65), 'two words', '<script>', 'id"with"quotes', '']) {
      const response = await stack.app.inject({ url: '/healthz', headers: { 'x-request-id': unsafe } });
      const given = String(response.headers['x-request-id']);
      expect(given, JSON.stringify(unsafe)).not.toBe(unsafe);
      expect(given).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
      expect(apiLines().some((line) => line.reqId === given && line.msg === 'incoming request')).toBe(true);
      if (unsafe !== '') expect(apiOutput.join('\n')).not.toContain(unsafe);
    }
    const unasked = await stack.app.inject({ url: '/healthz' });
    expect(unasked.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('no bearer token, password or Stripe signature is written to the log', async () => {
    const client = await createUser(stack, 'client');
    const login = await stack.app.inject({
      method: 'POST',
      url: '/api/auth/login',
      headers: { 'x-request-id': chosenId('login') },
      payload: { email: client.email, password: 'correct horse battery' },
    });
    expect(login.statusCode, login.body).toBe(200);
    const refusedId = chosenId('refused');
    const refused = await book(client, 2_000_000_000, refusedId);
    expect(refused.statusCode).toBeGreaterThanOrEqual(400);
    // A refusal names its request too.
    expect(refused.headers['x-request-id']).toBe(refusedId);
    const signature = `t=1,v1=${randomBytes(32).toString('hex')}`;
    const webhook = await stack.app.inject({
      method: 'POST',
      url: '/api/webhooks/stripe',
      headers: { 'stripe-signature': signature, 'content-type': 'application/json' },
      payload: '{"id":"evt_1"}',
    });
    expect(webhook.statusCode).toBe(400);
    // A line that names the headers outright has them masked.
    stack.app.log.warn({ headers: { authorization: client.headers.authorization, 'stripe-signature': signature } }, 'headers');

    const written = apiOutput.join('\n');
    expect(written).toContain('[redacted]');
    for (const secret of [client.token, login.json().token, 'correct horse battery', signature]) expect(written).not.toContain(secret);
    expect(written).not.toMatch(/bearer /i);
  });

  it("a workflow's own log line carries the request id of the call that started it", async () => {
    const requestId = chosenId('webhook');
    const purchaseId = unusedPurchaseId();
    const commands = new WorkflowCommands(stack.temporal, stack.settings, stack.app.log);
    await withRequestId(requestId, () =>
      commands.purchaseEvent({
        signal: 'payment',
        purchaseId,
        payload: {
          eventId: `evt_${randomBytes(8).toString('hex')}`,
          created: Math.floor(Date.now() / 1000),
          kind: 'completed',
          checkoutSessionId: 'cs_test_unknown',
          paymentIntentId: null,
          paymentStatus: 'paid',
        },
      }),
    );
    await eventually(async () => {
      expect(workerLines().find((line) => line.msg === 'Stripe event for an unknown purchase ignored')).toMatchObject({
        level: 'warn',
        workflowId: purchaseWorkflowId(purchaseId),
        workflowType: 'purchaseToCredit',
        reqId: requestId,
        purchaseId,
      });
    }, 20_000);
  });
});
