import { spawn, spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The newest CLI tag whose go.mod has no `replace`, so `go install pkg@version` works. */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
const MODULE = 'github.com/temporalio/cli/cmd/temporal';

export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The project's ignored cache of built tools; CACHE_DIR moves it (CI may keep one across clones). */
export const cacheDir = path.resolve(process.env.CACHE_DIR || path.join(projectRoot, '.cache'));
export const cliCacheDir = path.join(cacheDir, `temporal-cli-${TEMPORAL_CLI_VERSION}`);

export interface TemporalCli {
  path: string;
  /** Where it came from, said to the user so a wrong binary is easy to spot. */
  source: string;
}

export class TemporalCliUnavailable extends Error {
  override name = 'TemporalCliUnavailable';
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

function goBinary(): string | undefined {
  return onPath('go') ?? (executable('/usr/local/go/bin/go') ? '/usr/local/go/bin/go' : undefined);
}

/** Builds the CLI into the project's ignored cache; Go's own module and build caches stay where Go keeps them, so a fresh clone on the same machine rebuilds in seconds. */
async function buildWithGo(go: string, into: string, log: (line: string) => void): Promise<string> {
  log(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} with ${go} into ${into} (minutes the first time on a cold Go cache, seconds after)`);
  const started = Date.now();
  const child = spawn(go, ['install', '-v', '-trimpath', `${MODULE}@${TEMPORAL_CLI_VERSION}`], {
    env: { ...process.env, GOBIN: into, CGO_ENABLED: '0', GOTOOLCHAIN: 'local', GOFLAGS: '-buildvcs=false' },
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
  const binary = path.join(into, 'temporal');
  if (code !== 0 || !executable(binary)) {
    throw new TemporalCliUnavailable(`go install ${MODULE}@${TEMPORAL_CLI_VERSION} failed (exit ${code}):\n${tail.join('\n')}`);
  }
  log(`built the Temporal CLI in ${Math.round((Date.now() - started) / 1000)}s`);
  return binary;
}

function works(binary: string): boolean {
  const result = spawnSync(binary, ['--version'], { encoding: 'utf8', timeout: 20_000 });
  return result.status === 0;
}

/**
 * Finds a `temporal` CLI in the order of SPEC §7: TEMPORAL_CLI_PATH, PATH, the project
 * cache, then a Go build into that cache. Returns undefined when none of these can work,
 * so the caller may fall back to the SDK's download where the internet is reachable.
 */
export interface FindCliOptions {
  cliPath?: string | undefined;
  log?: (line: string) => void;
  /** The Go toolchain; found on PATH or in /usr/local/go when omitted, none when null. */
  go?: string | null;
  cacheDir?: string;
}

export async function findTemporalCli(options: FindCliOptions = {}): Promise<TemporalCli | undefined> {
  const log = options.log ?? (() => {});
  const into = options.cacheDir ?? cliCacheDir;
  if (options.cliPath) {
    if (!executable(options.cliPath) || !works(options.cliPath)) {
      throw new TemporalCliUnavailable(`TEMPORAL_CLI_PATH=${options.cliPath} is not a working temporal binary`);
    }
    return { path: options.cliPath, source: 'TEMPORAL_CLI_PATH' };
  }
  const fromPath = onPath('temporal');
  if (fromPath && works(fromPath)) return { path: fromPath, source: 'PATH' };
  const cached = path.join(into, 'temporal');
  if (existsSync(cached) && works(cached)) return { path: cached, source: `project cache (${TEMPORAL_CLI_VERSION})` };
  const go = options.go === undefined ? goBinary() : options.go;
  if (!go) return undefined;
  return { path: await buildWithGo(go, into, log), source: `built with go install (${TEMPORAL_CLI_VERSION})` };
}

export const NO_TEMPORAL_CLI_HELP = [
  'No Temporal CLI could be found, built or downloaded.',
  'Do one of these, then run the command again:',
  '  - install Go 1.24+ (https://go.dev/dl) so the project can build the CLI itself, or',
  '  - install the Temporal CLI (https://docs.temporal.io/cli) and put `temporal` on PATH, or',
  '  - set TEMPORAL_CLI_PATH to a temporal binary, or',
  '  - set TEMPORAL_ADDRESS to an existing Temporal server.',
].join('\n');

const invokedDirectly = process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  try {
    const cli = await findTemporalCli({ cliPath: process.env.TEMPORAL_CLI_PATH, log: (line) => console.log(line) });
    if (!cli) {
      console.error(NO_TEMPORAL_CLI_HELP);
      process.exit(1);
    }
    console.log(`temporal CLI: ${cli.path} (${cli.source})`);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(1);
  }
}
