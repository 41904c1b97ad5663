import type { Client } from '@temporalio/client';

/** The local activities a workflow ran, in order, read from its history's markers (the audit ops see). */
export async function localActivitiesRun(temporal: Client, workflowId: string): Promise<Array<{ type: string; failed: boolean }>> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  return history.events!.flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    const payload = marker?.details?.data?.payloads?.[0]?.data;
    if (!marker || !payload) return [];
    const data = JSON.parse(Buffer.from(payload).toString('utf8')) as { activity_type: string };
    return [{ type: data.activity_type, failed: Boolean(marker.failure) }];
  });
}
