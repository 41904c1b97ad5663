import { randomBytes } from 'node:crypto';
import { Client, Connection } from '@temporalio/client';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { RetryLater, untilAnswered } from '../../api/temporal-outage.js';

/*
 * A person's request waits on Temporal for a budget, then is answered 503 with Retry-After.
 * The last call of that wait ends at the budget's end, and the server may end it first: its
 * gRPC server resets the stream (CANCELLED) as the client's own timer would (DEADLINE_EXCEEDED).
 * Either way the answer must be the honest 503, never a 500 (seen in CI on a series edit).
 */

let connection: Connection;
let temporal: Client;

beforeAll(async () => {
  connection = await Connection.connect({ address: inject('temporalAddress') });
  temporal = new Client({ connection });
});
afterAll(async () => {
  await connection?.close();
});

describe("a request's wait on a workflow that has not finished by the end of its budget", () => {
  it('is the 503 the budget promises, whichever side ends the last call', { timeout: 60_000 }, async () => {
    // No worker polls this queue: the workflow never finishes, so every wait runs to its budget's end.
    const handle = await temporal.workflow.start('editSeries', {
      workflowId: `answer-budget-${randomBytes(6).toString('hex')}`,
      taskQueue: `nobody-${randomBytes(6).toString('hex')}`,
      args: [],
    });
    try {
      // Budgets with the last call cut by the budget's end rather than by its own deadline, as a
      // person's request is; which side ends it is a race, so it is run many times (without the
      // fix, each of 3 runs saw a 500 among these 360 waits).
      const waitOnce = (totalMs: number) =>
        untilAnswered(
          temporal,
          { totalMs, attemptMs: 600 },
          () => handle.result(),
          () => new RetryLater('PENDING', 'still going'),
        ).then(
          () => 'answered',
          (error: unknown) =>
            error instanceof RetryLater ? '503' : `other: ${String(error)} (${String((error as { cause?: unknown }).cause)})`,
        );
      for (let round = 0; round < 3; round += 1) {
        const outcomes = await Promise.all(Array.from({ length: 120 }, (_, index) => waitOnce(1_000 + index * 10)));
        expect(outcomes.filter((outcome) => outcome !== '503')).toEqual([]);
      }
    } finally {
      await handle.terminate('test over');
    }
  });
});
