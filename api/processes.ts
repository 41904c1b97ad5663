import cluster from 'node:cluster';

/**
 * Runs `count()` (API_PROCESSES) copies of one API instance on one port, so a single machine's API uses
 * every core: Node's cluster module, whose primary accepts each connection and hands it to
 * the processes in turn. Each copy is a whole instance (its own database pool, its own
 * live-update listener), exactly like replicas behind a load balancer; nothing is shared
 * between them but PostgreSQL and Temporal.
 *
 * The primary only forks and supervises: SIGINT or SIGTERM is passed on as SIGTERM (each copy
 * drains its requests, see config/process.ts), and the primary exits once every copy has.
 * A copy that exits on its own stops the others and the primary exits non-zero, so the
 * supervisor (compose, systemd) restarts the whole instance rather than run it short.
 */
export async function runApiProcesses(count: () => number, runOne: () => Promise<void>): Promise<void> {
  if (cluster.isWorker) return runOne();
  let processes: number;
  try {
    processes = count();
  } catch (error) {
    console.error(`api could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  if (processes <= 1) return runOne();
  let stopping = false;
  let failed = false;
  let running = processes;
  const stopAll = () => {
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.process.kill('SIGTERM');
  };
  process.on('SIGINT', stopAll);
  process.on('SIGTERM', stopAll);
  cluster.on('exit', (worker, code, signal) => {
    if (!stopping || code !== 0) {
      if (!stopping) console.error(`api: process ${worker.process.pid} exited (${signal ?? `code ${code}`}); stopping the others`);
      failed = true;
      stopAll();
    }
    running -= 1;
    if (running === 0) process.exit(failed ? 1 : 0);
  });
  for (let i = 0; i < processes; i += 1) cluster.fork();
}
