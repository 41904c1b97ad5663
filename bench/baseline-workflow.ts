import { condition, defineUpdate, proxyLocalActivities, setHandler } from '@temporalio/workflow';

export const pingUpdate = defineUpdate<string>('ping');

/** What the baseline worker runs: nothing, so its cost is the SDK's dispatch alone. */
export const baselineActivities = {
  async nothing(): Promise<void> {},
};

const { nothing } = proxyLocalActivities<typeof baselineActivities>({ startToCloseTimeout: '10 seconds' });

/** The floor a booking is measured against: an Update-with-Start that does no work at all. */
export async function emptyUpdate(): Promise<void> {
  let answered = false;
  setHandler(pingUpdate, () => {
    answered = true;
    return 'pong';
  });
  await condition(() => answered);
}

/**
 * The same, with one local activity that does nothing inside the update handler, as the
 * booking's handler has one: the difference from emptyUpdate is what a local activity's
 * round trip costs in the SDK, before any SQL.
 */
export async function localActivityUpdate(): Promise<void> {
  let answered = false;
  setHandler(pingUpdate, async () => {
    await nothing();
    answered = true;
    return 'pong';
  });
  await condition(() => answered);
}
