/**
 * A command to spawn under `nice -n <niceness>`, or as it is without one. Set at the start,
 * the priority reaches every thread the process goes on to start; renicing a running
 * process (setpriority on its pid) reaches only its main thread.
 */
export function atNiceness(niceness: number | undefined, command: string, args: string[]): [string, string[]] {
  return niceness ? ['nice', ['-n', String(niceness), command, ...args]] : [command, args];
}
