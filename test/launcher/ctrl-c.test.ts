import { spawn } from 'node:child_process';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { freePort, portInUse } from '../../launcher/free-port.js';
import { buildConsole } from '../support/console.js';
import { startPrivateTemporal, type PrivateTemporal } from '../support/private-temporal.js';

const root = path.resolve(import.meta.dirname, '..', '..');
let temporal: PrivateTemporal;
let dataDir: string;

beforeAll(async () => {
  // The launcher builds the console when admin/dist has none; the console tests build it under a lock.
  await Promise.all([buildConsole(), startPrivateTemporal().then((server) => (temporal = server))]);
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'studio-ctrl-c-'));
  await chmod(dataDir, 0o755);
}, 180_000);

afterAll(async () => {
  await temporal?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

/**
 * Ctrl-C in a terminal signals the whole foreground process group at once. `npm start`'s
 * entry keeps the embedded PostgreSQL out of that group, so the launcher stops it after the
 * API and the worker, and nothing that uses it loses its connection on the way down.
 */
describe('npm start and Ctrl-C', () => {
  it('stops everything in order: no lost connection, exit code 0, PostgreSQL down', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'launcher/run-in-terminal.ts'], {
      cwd: root,
      // A group of its own, as a terminal's foreground job is.
      detached: true,
      env: {
        ...process.env,
        DATA_DIR: dataDir,
        PORT: String(await freePort()),
        // A dev server and a mail server of the test's, so no fixed port of npm start's is needed.
        TEMPORAL_ADDRESS: temporal.address,
        TEMPORAL_TASK_QUEUE: `ctrl-c-${process.pid}`,
        SMTP_URL: inject('mailpitSmtpUrl'),
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const ready = new Promise<void>((resolve, reject) => {
      const take = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('Ctrl-C stops everything.')) resolve();
      };
      child.stdout.on('data', take);
      child.stderr.on('data', take);
      child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before it was up:\n${output}`)));
    });
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await ready;
    const postgresPort = Number(/PostgreSQL: embedded, 127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
    expect(await portInUse(postgresPort, '127.0.0.1')).toBe(true);

    // What the terminal does on Ctrl-C: SIGINT to every process of the foreground group.
    process.kill(-child.pid!, 'SIGINT');
    const code = await exited;
    const shutdown = output.slice(output.indexOf('Ctrl-C stops everything.'));
    expect(shutdown).toContain('studio-sessions: SIGINT, shutting down');
    expect(shutdown).not.toMatch(/lost its database connection|terminating connection|error/i);
    expect(code).toBe(0);
    expect(await portInUse(postgresPort, '127.0.0.1')).toBe(false);
  }, 120_000);
});
