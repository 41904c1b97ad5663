import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const pingUpdate = defineUpdate<string>('ping');

/** The floor a booking is measured against: an Update-with-Start that does no work at all. */
export async function emptyUpdate(): Promise<void> {
  let answered = false;
  setHandler(pingUpdate, () => {
    answered = true;
    return 'pong';
  });
  await condition(() => answered);
}
