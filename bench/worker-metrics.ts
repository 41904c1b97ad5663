/**
 * The worker's own account of its tasks, from the Temporal SDK core's Prometheus exporter
 * (installed by bench/stack.ts): histogram sums and counts, read before and after a phase
 * that runs one workflow type alone, give the mean time the worker spent per task. This is
 * where a booking's time inside the worker shows, which the client's latency cannot split.
 */

/** Sum and count of each core histogram, keyed by name and the labels that tell phases apart. */
export type CoreReading = Map<string, { sum: number; count: number }>;

export async function readCoreMetrics(url: string): Promise<CoreReading> {
  const reading: CoreReading = new Map();
  for (const line of (await (await fetch(url)).text()).split('\n')) {
    const match = /^(temporal_\w+)_(sum|count)\{([^}]*)\} (\S+)$/.exec(line);
    if (!match) continue;
    const labels = match[3]!.split(',').filter((label) => /^(workflow_type|activity_type|operation)=/.test(label));
    const key = `${match[1]}{${labels.join(',')}}`;
    const entry = reading.get(key) ?? { sum: 0, count: 0 };
    entry[match[2] as 'sum' | 'count'] += Number(match[4]);
    reading.set(key, entry);
  }
  return reading;
}

/** Mean ms per task of a phase that ran one workflow type alone. */
export interface WorkerTimes {
  /** The worker's whole workflow task, from receiving it to sending its completion (local activities inside). */
  workflowTaskMs: number;
  /** The workflow's local activities, from the core's dispatch to their result; null when it has none. */
  localActivityMs: number | null;
  /** The call that completes the task: the server persists it and answers the update. */
  completeTaskCallMs: number;
}

function meanBetween(before: CoreReading, after: CoreReading, key: (name: string) => boolean): number | null {
  let sum = 0;
  let count = 0;
  for (const [name, value] of after) {
    if (!key(name)) continue;
    sum += value.sum - (before.get(name)?.sum ?? 0);
    count += value.count - (before.get(name)?.count ?? 0);
  }
  return count > 0 ? sum / count : null;
}

export function workerTimesBetween(before: CoreReading, after: CoreReading, workflowType: string): WorkerTimes {
  const ofType = `workflow_type="${workflowType}"`;
  return {
    workflowTaskMs:
      meanBetween(before, after, (name) => name.startsWith('temporal_workflow_task_execution_latency{') && name.includes(ofType)) ?? NaN,
    localActivityMs: meanBetween(
      before,
      after,
      (name) => name.startsWith('temporal_local_activity_execution_latency{') && name.includes(ofType),
    ),
    completeTaskCallMs:
      meanBetween(before, after, (name) => name === 'temporal_request_latency{operation="RespondWorkflowTaskCompleted"}') ?? NaN,
  };
}
