import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { DeterminismViolationError } from '@temporalio/workflow';
import { Worker } from '@temporalio/worker';
import { describe, expect, inject, it } from 'vitest';

/**
 * Workflows still running when a new version is deployed are replayed by its code. These
 * histories were recorded from earlier versions (with `temporal workflow show --output json`)
 * and must replay on today's bundle without a determinism violation; a history made wrong
 * on purpose shows the check can fail.
 */
const fixtures = path.join(import.meta.dirname, 'fixtures');

async function history(name: string): Promise<{ events: Array<Record<string, unknown>> }> {
  return JSON.parse(await readFile(path.join(fixtures, name), 'utf8'));
}

const replay = (events: unknown, workflowId: string) =>
  Worker.runReplayHistory({ workflowBundle: { codePath: inject('workflowBundlePath') } }, events, workflowId);

describe('histories from earlier versions replay on this one', () => {
  it('a booking rescheduled, reminded and cancelled before late reminders existed (patch late-reminders)', async () => {
    await expect(replay(await history('booking-history-before-late-reminders.json'), 'booking-recorded')).resolves.toBeUndefined();
  });

  it('a session cancelled, with a client on its waitlist, before the cancel told the waitlist (patch waitlist-ends-with-cancel)', async () => {
    await expect(replay(await history('session-cancel-before-waitlist-ends.json'), 'session-cancel-recorded')).resolves.toBeUndefined();
  });

  it('the outbox drained twice while its pending list was an ordinary activity (patch local-pending-list)', async () => {
    await expect(
      replay(await history('notification-drainer-before-local-pending-list.json'), 'notification-drainer-recorded'),
    ).resolves.toBeUndefined();
  });

  it('the outbox drained with one activity per message, its pending list already local (patch one-send-per-wakeup)', async () => {
    await expect(
      replay(await history('notification-drainer-before-one-send-per-wakeup.json'), 'notification-drainer-per-message'),
    ).resolves.toBeUndefined();
  });

  it('a purchase, an allocation and the backfill while lot-expiry workflows were started as children (patch lot-expiry-started-by-activity)', async () => {
    await expect(replay(await history('purchase-before-lot-expiry-by-activity.json'), 'purchase-recorded')).resolves.toBeUndefined();
    await expect(replay(await history('allocation-before-lot-expiry-by-activity.json'), 'allocation-recorded')).resolves.toBeUndefined();
    await expect(
      replay(await history('lot-expiry-backfill-before-lot-expiry-by-activity.json'), 'lot-expiry-backfill-recorded'),
    ).resolves.toBeUndefined();
  });

  it('a lot-expiry workflow started without its plan, which reads its lot first', async () => {
    await expect(replay(await history('lot-expiry-before-plan-at-start.json'), 'lot-expiry-recorded')).resolves.toBeUndefined();
  });

  it('is refused when the history disagrees with the code (its reminder activity renamed)', async () => {
    const recorded = await history('booking-history-before-late-reminders.json');
    const tampered = JSON.parse(JSON.stringify(recorded).replaceAll('"queueReminder"', '"sendPostcard"'));
    await expect(replay(tampered, 'booking-tampered')).rejects.toBeInstanceOf(DeterminismViolationError);
  });
});
