/**
 * Runs a long-lived process role: start it, print one clear line (no stack trace) when
 * it cannot start, and on SIGINT/SIGTERM run its shutdown once, then exit, by force
 * after `forceExitAfterMs` when the shutdown hangs.
 */
export async function runProcess(
  name: string,
  start: () => Promise<() => Promise<void>>,
  { forceExitAfterMs = 20_000 } = {},
): Promise<void> {
  let stop: (() => Promise<void>) | undefined;
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`${name}: ${signal}, shutting down`);
    const force = setTimeout(() => {
      console.error(`${name}: shutdown took over ${forceExitAfterMs / 1000} s, exiting`);
      process.exit(1);
    }, forceExitAfterMs);
    force.unref();
    try {
      await stop?.();
      process.exit(0);
    } catch (error) {
      console.error(`${name}: error while stopping: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(1);
    }
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  try {
    stop = await start();
  } catch (error) {
    console.error(`${name} could not start: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
}
