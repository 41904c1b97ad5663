import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The Go-built tools the project runs (the Temporal CLI, stripe-mock, and for the
 * deployment checks the Temporal server and the Compose CLI): found on an explicit path,
 * on PATH or in the project's ignored cache, else built once with
 * `go install module@version` into that cache. Go keeps its own module and build caches
 * where it always does, so a fresh clone on the same machine rebuilds in seconds.
 */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** CACHE_DIR moves the cache (CI may keep one across clones). */
export const cacheDir = path.resolve(process.env.CACHE_DIR || path.join(projectRoot, '.cache'));

export interface GoTool {
  /** The binary's name, and the name said to the user. */
  binary: string;
  module: string;
  version: string;
  /** Arguments that make a working binary exit 0. */
  versionArgs: string[];
  /**
   * The main package's path inside the module, for a module whose go.mod has replace or
   * exclude directives: `go install module@version` refuses those, so the binary is
   * built with `go build` inside the module's downloaded source, where its go.mod applies
   * (still only the Go module proxy is needed).
   */
  mainPackage?: string;
}

export interface FoundTool {
  path: string;
  /** Where it came from, said to the user so a wrong binary is easy to spot. */
  source: string;
}

export interface FindToolOptions {
  /** An explicit binary (from an environment variable named `explicitName`); it must work. */
  explicitPath?: string | undefined;
  explicitName: string;
  /** The Go toolchain; found on PATH or in /usr/local/go when omitted, none when null. */
  go?: string | null;
  /** Where to keep the built binary; defaults to `.cache/<binary>-<version>`. */
  into?: string;
  log?: (line: string) => void;
  fail: (message: string) => Error;
}

export function executable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

export function onPath(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, command);
    if (dir && executable(candidate)) return candidate;
  }
  return undefined;
}

function goBinary(): string | undefined {
  return onPath('go') ?? (executable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

export const toolCacheDir = (tool: GoTool) => path.join(cacheDir, `${tool.binary}-${tool.version}`);

function works(tool: GoTool, binary: string): boolean {
  return spawnSync(binary, tool.versionArgs, { encoding: 'utf8', timeout: 20_000 }).status === 0;
}

const GO_ENV = { CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' };

/** Where `go mod download` unpacked the module (read-only, in Go's module cache). */
function moduleSource(tool: GoTool, go: string, fail: (message: string) => Error): string {
  const download = spawnSync(go, ['mod', 'download', '-json', `${tool.module}@${tool.version}`], {
    encoding: 'utf8',
    env: { ...process.env, ...GO_ENV },
    timeout: 600_000,
  });
  const info = JSON.parse(download.stdout || '{}') as { Dir?: string; Error?: string };
  if (download.status !== 0 || !info.Dir) {
    throw fail(`go mod download ${tool.module}@${tool.version} failed: ${info.Error ?? download.stderr.trim()}`);
  }
  return info.Dir;
}

async function goBuild(
  tool: GoTool,
  go: string,
  into: string,
  log: (line: string) => void,
  fail: (message: string) => Error,
): Promise<string> {
  const binary = path.join(into, tool.binary);
  const [args, cwd, what] = tool.mainPackage
    ? [
        ['build', '-v', '-trimpath', '-o', binary, `./${tool.mainPackage}`],
        moduleSource(tool, go, fail),
        `go build ./${tool.mainPackage} in ${tool.module}@${tool.version}`,
      ]
    : [['install', '-v', '-trimpath', `${tool.module}@${tool.version}`], undefined, `go install ${tool.module}@${tool.version}`];
  log(`building ${tool.binary} ${tool.version} with ${go} into ${into} (minutes the first time on a cold Go cache, seconds after)`);
  const started = Date.now();
  const child = spawn(go, args, {
    cwd,
    env: { ...process.env, GOBIN: into, ...GO_ENV },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let packages = 0;
  let tail: string[] = [];
  const progress = setInterval(() => {
    log(`  … ${Math.round((Date.now() - started) / 1000)}s, ${packages} packages compiled`);
  }, 15_000);
  const onData = (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n').filter(Boolean)) {
      if (line.startsWith('go: downloading')) continue;
      packages += 1;
      tail = [...tail.slice(-20), line];
    }
  };
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const code = await new Promise<number | null>((resolve) => {
    child.on('error', () => resolve(-1));
    child.on('close', resolve);
  });
  clearInterval(progress);
  if (code !== 0 || !executable(binary)) {
    throw fail(`${what} failed (exit ${code}):\n${tail.join('\n')}`);
  }
  log(`built ${tool.binary} in ${Math.round((Date.now() - started) / 1000)}s`);
  return binary;
}

/** Undefined when there is no binary and no Go to build one: the caller decides what that means. */
export async function findGoTool(tool: GoTool, options: FindToolOptions): Promise<FoundTool | undefined> {
  const log = options.log ?? (() => {});
  const into = options.into ?? toolCacheDir(tool);
  if (options.explicitPath) {
    if (!executable(options.explicitPath) || !works(tool, options.explicitPath)) {
      throw options.fail(`${options.explicitName}=${options.explicitPath} is not a working ${tool.binary} binary`);
    }
    return { path: options.explicitPath, source: options.explicitName };
  }
  const fromPath = onPath(tool.binary);
  if (fromPath && works(tool, fromPath)) return { path: fromPath, source: 'PATH' };
  const cached = path.join(into, tool.binary);
  if (existsSync(cached) && works(tool, cached)) return { path: cached, source: `project cache (${tool.version})` };
  const go = options.go === undefined ? goBinary() : options.go;
  if (!go) return undefined;
  return {
    path: await goBuild(tool, go, into, log, options.fail),
    source: `built with go ${tool.mainPackage ? 'build' : 'install'} (${tool.version})`,
  };
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

/** Runs a tool's server until every one of its loopback ports accepts connections; its last output explains a failure. */
export async function startListening(
  binary: string,
  args: string[],
  ports: number[],
  fail: (message: string) => Error,
): Promise<ChildProcess> {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-2_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const deadline = Date.now() + 20_000;
  for (;;) {
    const listening = await Promise.all(ports.map(accepts));
    if (listening.every(Boolean)) return child;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stopChild(child, 5_000);
      throw fail(`${path.basename(binary)} did not start:\n${output.trim()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the child is gone. */
export function stopChild(child: ChildProcess, graceMs = 10_000): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    const force = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(force);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

/** True when this module file is the process's entry point (`tsx launcher/x.ts`). */
export function isEntryPoint(moduleUrl: string): boolean {
  return Boolean(process.argv[1]) && path.resolve(process.argv[1]!) === fileURLToPath(moduleUrl);
}
