import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { findGoTool, type FoundTool } from '../../launcher/go-tools.js';

export const root = path.resolve(import.meta.dirname, '..', '..');

export interface ComposeService {
  image?: string;
  environment?: Record<string, string | null>;
  stop_grace_period?: string;
  ports?: string[];
}

export interface ComposeFile {
  services: Record<string, ComposeService>;
  configs: Record<string, { content: string }>;
}

/** docker-compose.yml as YAML (anchors and merge keys resolved, interpolation left as written). */
export function readComposeFile(): ComposeFile {
  return parse(readFileSync(path.join(root, 'docker-compose.yml'), 'utf8'), { merge: true }) as ComposeFile;
}

/** Every environment variable config/settings.ts reads: the list of the app's settings. */
export function settingNames(): string[] {
  const source = readFileSync(path.join(root, 'config', 'settings.ts'), 'utf8');
  const names = [...source.matchAll(/env\.([A-Z][A-Z0-9_]+)|env, '([A-Z][A-Z0-9_]+)'/g)].map((match) => match[1] ?? match[2]!);
  return [...new Set(names)].sort();
}

/**
 * Docker Compose v2.40.3 built from source. Its go.mod has exclude directives, which
 * `go install module@version` refuses, so it is built inside its downloaded module.
 */
export const COMPOSE_CLI = {
  binary: 'docker-compose',
  module: 'github.com/docker/compose/v2',
  version: 'v2.40.3',
  mainPackage: 'cmd',
  versionArgs: ['version'],
};

export async function findComposeCli(log: (line: string) => void): Promise<FoundTool> {
  const found = await findGoTool(COMPOSE_CLI, {
    explicitPath: process.env.COMPOSE_CLI_PATH,
    explicitName: 'COMPOSE_CLI_PATH',
    log,
    fail: (message) => new Error(message),
  });
  if (!found) throw new Error('no docker-compose binary and no Go to build one: install Go, or set COMPOSE_CLI_PATH');
  return found;
}

/** `docker-compose <args>` on the repository's compose file with only the given variables (no host environment). */
export function compose(cli: string, envFile: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const result = spawnSync(
    cli,
    ['--project-directory', root, '-f', path.join(root, 'docker-compose.yml'), '--env-file', envFile, ...args],
    {
      encoding: 'utf8',
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp' },
      timeout: 60_000,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}
