import os from 'node:os';

/** Latency figures as benchmarks print them. */
export function percentile(sortedMs: number[], p: number): number {
  if (sortedMs.length === 0) return Number.NaN;
  const index = Math.min(sortedMs.length - 1, Math.ceil((p / 100) * sortedMs.length) - 1);
  return sortedMs[Math.max(index, 0)]!;
}

export interface Summary {
  n: number;
  p50: number;
  p99: number;
  /** Completed per second over the wall time, when one was given. */
  perSecond?: number;
  /** The whole machine's CPU time per operation (every process, all cores), when phases ran concurrently. */
  cpuMsPerOp?: number;
  /** How busy the machine's cores were meanwhile, 0 to 1. */
  busyShare?: number;
}

/** The machine's busy CPU time so far, all cores together (ms), as the kernel counts it. */
function busyCpuMs(): number {
  return os.cpus().reduce((sum, { times }) => sum + times.user + times.nice + times.sys + times.irq, 0);
}

export function summarize(label: string, samplesMs: number[], wallMs?: number): Summary {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const p99 = percentile(sorted, 99);
  const perSecond = wallMs ? samplesMs.length / (wallMs / 1000) : undefined;
  const rate = perSecond !== undefined ? `  ${perSecond.toFixed(1)}/s` : '';
  console.log(
    `${label.padEnd(44)} n=${String(samplesMs.length).padStart(4)}  p50 ${p50.toFixed(1).padStart(7)} ms  p99 ${p99.toFixed(1).padStart(7)} ms${rate}`,
  );
  return { n: samplesMs.length, p50, p99, ...(perSecond !== undefined ? { perSecond } : {}) };
}

/** Runs `task(i)` for i < total with at most `concurrency` in flight; returns each latency and the wall time. */
export async function run(
  total: number,
  concurrency: number,
  task: (i: number) => Promise<void>,
): Promise<{ samples: number[]; wallMs: number }> {
  const samples: number[] = [];
  let next = 0;
  const began = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const i = next++;
        const started = performance.now();
        await task(i);
        samples.push(performance.now() - started);
      }
    }),
  );
  return { samples, wallMs: performance.now() - began };
}

/**
 * A phase run and summarized in one go; run concurrently, also what it cost the machine:
 * at saturation, throughput is the cores' time divided by the CPU time per operation.
 */
export async function phase(label: string, total: number, concurrency: number, task: (i: number) => Promise<void>): Promise<Summary> {
  const busyBefore = busyCpuMs();
  const { samples, wallMs } = await run(total, concurrency, task);
  const summary = summarize(label, samples, concurrency > 1 ? wallMs : undefined);
  if (concurrency === 1) return summary;
  const busyMs = busyCpuMs() - busyBefore;
  const cpu = { cpuMsPerOp: busyMs / total, busyShare: busyMs / (wallMs * os.cpus().length) };
  console.log(`${''.padEnd(44)} CPU ${cpu.cpuMsPerOp.toFixed(1)} ms per operation, cores ${(100 * cpu.busyShare).toFixed(0)} % busy`);
  return { ...summary, ...cpu };
}
