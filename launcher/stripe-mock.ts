import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './free-port.js';
import { projectRoot } from './temporal-cli.js';

/**
 * stripe-mock, Stripe's own API mock (its OpenAPI spec is embedded), answers the outgoing
 * Stripe calls in tests and benchmarks: it validates every parameter we send against the
 * real API's schema and returns canned objects. Found or built like the Temporal CLI:
 * STRIPE_MOCK_PATH, PATH, the project cache, then `go install` into that cache.
 */
export const STRIPE_MOCK_VERSION = 'v0.197.0';
const MODULE = 'github.com/stripe/stripe-mock';

export const stripeMockCacheDir = path.join(projectRoot, '.cache', `stripe-mock-${STRIPE_MOCK_VERSION}`);

export interface StripeMockBinary {
  path: string;
  source: string;
}

export interface RunningStripeMock {
  /** For the SDK's host/port/protocol (STRIPE_API_BASE_URL). */
  baseUrl: string;
  stop(): Promise<void>;
}

export class StripeMockUnavailable extends Error {
  override name = 'StripeMockUnavailable';
}

function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && executable(candidate)) return candidate;
  }
  return undefined;
}

function works(binary: string): boolean {
  return spawnSync(binary, ['-version'], { encoding: 'utf8', timeout: 10_000 }).status === 0;
}

async function buildWithGo(go: string, log: (line: string) => void): Promise<string> {
  log(`building stripe-mock ${STRIPE_MOCK_VERSION} with ${go} into ${path.relative(process.cwd(), stripeMockCacheDir) || stripeMockCacheDir}`);
  const started = Date.now();
  const child = spawn(go, ['install', '-trimpath', `${MODULE}@${STRIPE_MOCK_VERSION}`], {
    env: { ...process.env, GOBIN: stripeMockCacheDir, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let tail = '';
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString()).slice(-4_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', resolve);
  });
  const binary = path.join(stripeMockCacheDir, 'stripe-mock');
  if (code !== 0 || !executable(binary)) {
    throw new StripeMockUnavailable(`go install ${MODULE}@${STRIPE_MOCK_VERSION} failed (exit ${code}):\n${tail.trim()}`);
  }
  log(`built stripe-mock in ${Math.round((Date.now() - started) / 1000)}s`);
  return binary;
}

/** Undefined when there is no binary and no Go to build one; callers then run without it and say so. */
export async function findStripeMock(options: { binaryPath?: string | undefined; log?: (line: string) => void } = {}): Promise<StripeMockBinary | undefined> {
  const log = options.log ?? (() => {});
  if (options.binaryPath) {
    if (!executable(options.binaryPath) || !works(options.binaryPath)) {
      throw new StripeMockUnavailable(`STRIPE_MOCK_PATH=${options.binaryPath} is not a working stripe-mock binary`);
    }
    return { path: options.binaryPath, source: 'STRIPE_MOCK_PATH' };
  }
  const fromPath = onPath('stripe-mock');
  if (fromPath && works(fromPath)) return { path: fromPath, source: 'PATH' };
  const cached = path.join(stripeMockCacheDir, 'stripe-mock');
  if (existsSync(cached) && works(cached)) return { path: cached, source: `project cache (${STRIPE_MOCK_VERSION})` };
  const go = onPath('go') ?? (executable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
  if (!go) return undefined;
  return { path: await buildWithGo(go, log), source: `built with go install (${STRIPE_MOCK_VERSION})` };
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** Runs stripe-mock on free loopback ports (HTTP for the SDK; HTTPS only because it insists on serving both). */
export async function startStripeMock(binary: string): Promise<RunningStripeMock> {
  const httpPort = await freePort();
  const httpsPort = await freePort();
  const child = spawn(binary, ['-http-addr', `127.0.0.1:${httpPort}`, '-https-addr', `127.0.0.1:${httpsPort}`], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2_000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const deadline = Date.now() + 20_000;
  while (!(await accepts(httpPort))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopChild(child);
      throw new StripeMockUnavailable(`stripe-mock did not start:\n${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { baseUrl: `http://127.0.0.1:${httpPort}`, stop: () => stopChild(child) };
}

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  try {
    const found = await findStripeMock({ binaryPath: process.env.STRIPE_MOCK_PATH, log: (line) => console.log(line) });
    if (!found) {
      console.error('stripe-mock is not on PATH and Go is not installed to build it; install Go 1.24+ or set STRIPE_MOCK_PATH.');
      process.exit(1);
    }
    console.log(`stripe-mock: ${found.path} (${found.source})`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
