import { findGoTool, isEntryPoint, toolCacheDir, type FoundTool, type GoTool } from './go-tools.js';

/** The newest CLI tag whose go.mod has no `replace`, so `go install pkg@version` works. */
export const TEMPORAL_CLI: GoTool = {
  binary: 'temporal',
  module: 'github.com/temporalio/cli/cmd/temporal',
  version: 'v1.5.1',
  versionArgs: ['--version'],
};
export const cliCacheDir = toolCacheDir(TEMPORAL_CLI);

export class TemporalCliUnavailable extends Error {
  override name = 'TemporalCliUnavailable';
}

export interface FindCliOptions {
  cliPath?: string | undefined;
  log?: (line: string) => void;
  /** The Go toolchain; found on PATH or in /usr/local/go when omitted, none when null. */
  go?: string | null;
  cacheDir?: string;
}

/**
 * Finds a `temporal` CLI in this order: TEMPORAL_CLI_PATH, PATH, the project
 * cache, then a Go build into that cache. Undefined when none of these can work, so the
 * caller may fall back to the SDK's download where the internet is reachable.
 */
export function findTemporalCli(options: FindCliOptions = {}): Promise<FoundTool | undefined> {
  return findGoTool(TEMPORAL_CLI, {
    explicitPath: options.cliPath,
    explicitName: 'TEMPORAL_CLI_PATH',
    ...(options.go !== undefined ? { go: options.go } : {}),
    ...(options.cacheDir ? { into: options.cacheDir } : {}),
    ...(options.log ? { log: options.log } : {}),
    fail: (message) => new TemporalCliUnavailable(message),
  });
}

export const NO_TEMPORAL_CLI_HELP = [
  'No Temporal CLI could be found, built or downloaded.',
  'Do one of these, then run the command again:',
  '  - install Go 1.24+ (https://go.dev/dl) so the project can build the CLI itself, or',
  '  - install the Temporal CLI (https://docs.temporal.io/cli) and put `temporal` on PATH, or',
  '  - set TEMPORAL_CLI_PATH to a temporal binary, or',
  '  - set TEMPORAL_ADDRESS to an existing Temporal server.',
].join('\n');

if (isEntryPoint(import.meta.url)) {
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
