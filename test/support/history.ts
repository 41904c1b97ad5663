import type { Client } from '@temporalio/client';
import protos from '@temporalio/proto';

const proto = protos.temporal;

/** The first value of an event's payloads (a workflow's input, an activity's, a marker's details), as the JSON the SDK wrote. */
export function firstPayload(payloads: protos.temporal.api.common.v1.IPayloads | null | undefined): unknown {
  const data = payloads?.payloads?.[0]?.data;
  return data ? JSON.parse(Buffer.from(data).toString('utf8')) : undefined;
}

/** The local activities a workflow ran, in order, read from its history's markers (the audit ops see). */
export async function localActivitiesRun(temporal: Client, workflowId: string): Promise<Array<{ type: string; failed: boolean }>> {
  const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
  return history.events!.flatMap((event) => {
    const marker = event.markerRecordedEventAttributes;
    const data = firstPayload(marker?.details?.data) as { activity_type: string } | undefined;
    if (!marker || !data) return [];
    return [{ type: data.activity_type, failed: Boolean(marker.failure) }];
  });
}

/**
 * A workflow's history as one line per event, times relative to its start: what a failing
 * wait prints, so a run that was slow on a loaded machine says where its time went.
 */
export async function historyStory(temporal: Client, workflowId: string): Promise<string> {
  try {
    const history = await temporal.workflow.getHandle(workflowId).fetchHistory();
    const events = history.events ?? [];
    const startedAt = Number(events[0]?.eventTime?.seconds ?? 0) * 1000 + Math.floor((events[0]?.eventTime?.nanos ?? 0) / 1e6);
    return events
      .map((event) => {
        const at = Number(event.eventTime?.seconds ?? 0) * 1000 + Math.floor((event.eventTime?.nanos ?? 0) / 1e6) - startedAt;
        const failure =
          event.workflowTaskFailedEventAttributes?.failure?.message ??
          event.activityTaskFailedEventAttributes?.failure?.message ??
          event.markerRecordedEventAttributes?.failure?.message;
        const type = proto.api.enums.v1.EventType[event.eventType ?? 0]?.replace('EVENT_TYPE_', '') ?? String(event.eventType);
        return `+${at} ms ${type}${failure ? `: ${failure}` : ''}`;
      })
      .join('\n');
  } catch (error) {
    return `no history for ${workflowId}: ${String(error)}`;
  }
}
