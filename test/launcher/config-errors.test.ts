import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { folderPostgresCannotEnter } from '../../launcher/embedded-postgres.js';
import { freePort } from '../../launcher/free-port.js';
import { startLocalTemporal } from '../../launcher/temporal.js';
import { NO_TEMPORAL_CLI_HELP } from '../../launcher/temporal-cli.js';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Runs `npm start`'s entry point as a user would, with the given environment. */
async function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const dataDir = env.DATA_DIR ?? (await mkdtemp(path.join(os.tmpdir(), 'studio-config-')));
  const child = spawn(process.execPath, ['--import', 'tsx', 'launcher/start.ts'], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => void (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return { code, output };
}

const STACK_TRACE = /\n\s+at .+:\d+:\d+/;

describe('bad configuration gives one clear message and a non-zero exit', () => {
  it('an unreachable DATABASE_URL', async () => {
    const { code, output } = await start({ DATABASE_URL: 'postgres://studio:secret@127.0.0.1:1/studio', PORT: String(await freePort()) });
    expect(code).toBe(1);
    expect(output).toContain('studio-sessions could not start: Cannot reach PostgreSQL at 127.0.0.1:1/studio');
    expect(output).not.toContain('secret');
    expect(output).not.toMatch(STACK_TRACE);
  });

  it('an unknown LOG_LEVEL', async () => {
    const { code, output } = await start({ LOG_LEVEL: 'loud', PORT: String(await freePort()) });
    expect(code).toBe(1);
    expect(output).toContain('LOG_LEVEL must be one of trace, debug, info, warn, error, silent, got "loud"');
    expect(output).not.toMatch(STACK_TRACE);
  });

  it('a malformed DATABASE_URL', async () => {
    const { code, output } = await start({ DATABASE_URL: 'not a url', PORT: String(await freePort()) });
    expect(code).toBe(1);
    expect(output).toContain('DATABASE_URL is not a valid URL');
  });

  it('the API port already in use', async () => {
    const blocker = net.createServer();
    const port = await freePort();
    await new Promise<void>((resolve) => blocker.listen(port, '0.0.0.0', resolve));
    try {
      const { code, output } = await start({ PORT: String(port) });
      expect(code).toBe(1);
      expect(output).toContain(`Port ${port} is already in use. Stop whatever listens there or set PORT to a free port.`);
      expect(output).not.toMatch(STACK_TRACE);
    } finally {
      blocker.close();
    }
  });

  it('a setting that is not a number', async () => {
    const { code, output } = await start({ PORT: 'eighty' });
    expect(code).toBe(1);
    expect(output).toContain('PORT must be a whole number >= 0, got "eighty"');
  });

  it("a workflow cache smaller than the worker's 100 workflow-task slots", async () => {
    const { code, output } = await start({ WORKER_CACHED_WORKFLOWS: '50', PORT: String(await freePort()) });
    expect(code).toBe(1);
    expect(output).toContain('WORKER_CACHED_WORKFLOWS must be a whole number >= 100, got "50"');
    expect(output).not.toMatch(STACK_TRACE);
  });

  it('a studio time zone that is not an IANA zone', async () => {
    const { code, output } = await start({ STUDIO_TIME_ZONE: 'Mars/Olympus' });
    expect(code).toBe(1);
    expect(output).toContain('STUDIO_TIME_ZONE must be an IANA time zone such as Europe/London or America/New_York, got "Mars/Olympus"');
    expect(output).not.toMatch(STACK_TRACE);
  });

  it('no Temporal CLI, no Go and no download: says what to install', async () => {
    const emptyCache = await mkdtemp(path.join(os.tmpdir(), 'studio-no-cli-'));
    const previousPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startLocalTemporal({ cliPath: undefined, go: null, cacheDir: emptyCache, log: () => {} })).rejects.toThrow(
        NO_TEMPORAL_CLI_HELP,
      );
    } finally {
      process.env.PATH = previousPath;
    }
  });

  it('a TEMPORAL_CLI_PATH that is not a temporal binary', async () => {
    await expect(startLocalTemporal({ cliPath: '/bin/false', log: () => {} })).rejects.toThrow(
      'TEMPORAL_CLI_PATH=/bin/false is not a working temporal binary',
    );
  });

  it('production without Stripe keys refuses to sell through the simulator unless asked to', async () => {
    const { code, output } = await start({ NODE_ENV: 'production', STRIPE_SECRET_KEY: '', PORT: String(await freePort()) });
    expect(code).toBe(1);
    expect(output).toContain(
      'NODE_ENV=production needs STRIPE_SECRET_KEY (or STRIPE_SIMULATOR=true to run the checkout simulator on purpose)',
    );
    expect(output).not.toMatch(STACK_TRACE);
  });

  // PostgreSQL never runs as root, so only a root launcher hands the cluster to the postgres user.
  it.skipIf(process.getuid?.() !== 0)('as root, a data folder inside a private home says which folder to open', async () => {
    const privateHome = await mkdtemp(path.join(os.tmpdir(), 'studio-private-home-'));
    await chmod(privateHome, 0o700);
    const { code, output } = await start({ DATA_DIR: path.join(privateHome, 'data'), PORT: String(await freePort()) });
    expect(code).toBe(1);
    expect(output).toContain(`the "postgres" user, who cannot enter ${privateHome} (mode 0700)`);
    expect(output).toContain(`chmod o+x ${privateHome}`);
    expect(output).not.toMatch(/EACCES|\n\s+at .+:\d+:\d+/);
    expect(
      output
        .trim()
        .split('\n')
        .filter((line) => line.includes('could not start')),
    ).toHaveLength(1);
  });

  it('finds the folder PostgreSQL cannot pass through, and none on an open path', async () => {
    const open = await mkdtemp(path.join(os.tmpdir(), 'studio-open-'));
    await chmod(open, 0o755);
    const closed = path.join(open, 'closed');
    await mkdir(path.join(closed, 'inside'), { recursive: true });
    await chmod(closed, 0o700);
    expect(folderPostgresCannotEnter([path.join(open, 'cluster')], undefined)).toBeUndefined();
    expect(folderPostgresCannotEnter([path.join(closed, 'inside', 'cluster')], undefined)).toBe(closed);
  });
});
