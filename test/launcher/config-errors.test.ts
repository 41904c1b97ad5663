import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../launcher/free-port.js';
import { startLocalTemporal } from '../../launcher/temporal.js';
import { NO_TEMPORAL_CLI_HELP } from '../../launcher/temporal-cli.js';

const root = path.resolve(import.meta.dirname, '..', '..');

/** Runs `npm start`'s entry point as a user would, with the given environment. */
async function start(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'studio-config-'));
  const child = spawn(process.execPath, ['--import', 'tsx', 'launcher/start.ts'], {
    cwd: root, env: { ...process.env, DATA_DIR: dataDir, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
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

  it('no Temporal CLI, no Go and no download: says what to install', async () => {
    const emptyCache = await mkdtemp(path.join(os.tmpdir(), 'studio-no-cli-'));
    const previousPath = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      await expect(startLocalTemporal({ cliPath: undefined, go: null, cacheDir: emptyCache, log: () => {} }))
        .rejects.toThrow(NO_TEMPORAL_CLI_HELP);
    } finally {
      process.env.PATH = previousPath;
    }
  });

  it('a TEMPORAL_CLI_PATH that is not a temporal binary', async () => {
    await expect(startLocalTemporal({ cliPath: '/bin/false', log: () => {} }))
      .rejects.toThrow('TEMPORAL_CLI_PATH=/bin/false is not a working temporal binary');
  });
});
