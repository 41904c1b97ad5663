/**
 * `npm start`'s entry: runs the launcher (start.ts) in a process group of its own and hands
 * it the terminal's signals. Ctrl-C signals the terminal's whole foreground group at once,
 * so PostgreSQL, the Temporal dev server and Mailpit, the launcher's children, shut down at
 * the moment the API and worker still use them; here only this process hears it, and the
 * launcher stops everything in order (the API, the worker, then the services). A second
 * Ctrl-C kills the whole group at once, for a shutdown that hangs.
 */
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { workflowStackTracePreload } from '../worker/stack-trace-preload.js';

// The launcher runs the worker in its own process.
const launcher = spawn(process.execPath, [...workflowStackTracePreload, '--import', 'tsx', path.join(import.meta.dirname, 'start.ts')], {
  stdio: 'inherit',
  detached: true,
});
let interrupted = false;
process.on('SIGINT', () => {
  if (interrupted) process.kill(-launcher.pid!, 'SIGKILL');
  else launcher.kill('SIGINT');
  interrupted = true;
});
// A closed terminal's SIGHUP ends it as a service manager's SIGTERM would.
process.on('SIGTERM', () => launcher.kill('SIGTERM'));
process.on('SIGHUP', () => launcher.kill('SIGTERM'));
launcher.on('exit', (code, signal) => process.exit(code ?? 128 + (signal ? os.constants.signals[signal] : 0)));
